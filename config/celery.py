"""The Celery application of GRADER_BACKEND=celery: `celery -A config worker -Q grading`.

Its settings are the CELERY_* names in config/settings.py (late acknowledgement,
redelivery when a worker dies, prefetch 1, the visibility timeout, concurrency).
The grading task is in grader/tasks.py; the periodic jobs every worker runs are
in grader/periodic.py (docs/deploy.md says why every worker runs them). Each
process that grades keeps its own pool of started sandboxes (docs/sandbox.md).
"""

import logging
import os
import threading
from typing import Any

from celery import Celery
from celery.signals import (
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("lectern", include=["grader.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")


@worker_ready.connect
def _sweeper_start(sender: Any = None, **kwargs: Any) -> None:
    # In the worker's main process, once its pool is up; Django is set up by then.
    from grader.periodic import sweeper_start

    sweeper_start()


@worker_shutdown.connect
def _sweeper_stop(sender: Any = None, **kwargs: Any) -> None:
    from grader.periodic import sweeper_stop

    sweeper_stop()


@worker_process_init.connect
def _sandbox_pool_start(sender: Any = None, **kwargs: Any) -> None:
    # In each process that grades: its own pool of started sandboxes. From a
    # thread of its own, which opens its own database connection rather than
    # one this freshly forked process may share with its parent.
    threading.Thread(target=_sandbox_pool_prepare, name="sandbox-pool-prepare").start()


def _sandbox_pool_prepare() -> None:
    from django.db import connection

    from grader.services import sandbox_pool_prepare

    try:
        sandbox_pool_prepare()
    except Exception:
        logger.exception("starting the sandbox pool failed")
    finally:
        connection.close()


@worker_process_shutdown.connect
def _sandbox_pool_stop(sender: Any = None, **kwargs: Any) -> None:
    from sandboxes.runner import sandbox_pool_stop

    sandbox_pool_stop()
