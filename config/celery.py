"""The Celery application of GRADER_BACKEND=celery: `celery -A config worker -Q grading`.

Its settings are the CELERY_* names in config/settings.py (late acknowledgement,
redelivery when a worker dies, prefetch 1, the visibility timeout, concurrency).
The grading task is in grader/tasks.py; what a worker does besides (the sweep,
a sandbox pool per process) in grader/celery_worker.py. Both are loaded only by
workers: the web sends tasks by name (grader/dispatch.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lectern", include=["grader.tasks", "grader.celery_worker"])
app.config_from_object("django.conf:settings", namespace="CELERY")
