"""The Celery side of dispatch (GRADER_BACKEND=celery): the grading task, thin
over grader.services; grader/dispatch.py sends it by name.

A task names one submission. It may arrive twice (a worker died, Redis handed
it out again) or late (the submission was cancelled or graded meanwhile): the
database claim in grade_submission makes every extra delivery do nothing.
"""

import uuid

from celery import Task
from django.utils import timezone

from config.celery import app
from grader.dispatch import GRADE_TASK
from grader.models import Submission
from grader.services import grader_status_set, submission_grade_delivered
from sandboxes.runner import SandboxUnavailable

# Seconds before a grading the sandbox could not run is tried again.
UNAVAILABLE_RETRY_SECONDS = 5.0


@app.task(name=GRADE_TASK, bind=True, max_retries=None)
def grade_submission_task(self: Task, submission_id: str) -> None:
    try:
        graded = submission_grade_delivered(submission_id=uuid.UUID(submission_id))
    except SandboxUnavailable as error:
        # The claim was given back: the submission waits in the queue, safe.
        grader_status_set(available=False, reason=str(error))
        Submission.objects.filter(pk=submission_id).update(dispatched_at=timezone.now())
        raise self.retry(countdown=UNAVAILABLE_RETRY_SECONDS) from error
    if graded:
        grader_status_set(available=True)
