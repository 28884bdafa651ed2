"""The Celery side of dispatch (GRADER_BACKEND=celery): the grading task, thin
over grader.services, and the call that sends it.

A task names one submission. It may arrive twice (a worker died, Redis handed
it out again) or late (the submission was cancelled or graded meanwhile): the
database claim in grade_submission makes every extra delivery do nothing.
"""

import logging
import uuid

from celery import Task
from django.conf import settings
from django.utils import timezone

from config.celery import app
from grader.models import Submission
from grader.services import grader_status_set, submission_grade_delivered
from sandboxes.runner import SandboxUnavailable

logger = logging.getLogger(__name__)

# Seconds before a grading the sandbox could not run is tried again.
UNAVAILABLE_RETRY_SECONDS = 5.0


@app.task(name="grader.grade_submission", bind=True, max_retries=None)
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


def submission_enqueue(*, submission_id: uuid.UUID) -> bool:
    """Send the grading task; False when the broker cannot be reached.

    Never raises: the submission is stored as queued, and when its task is lost
    the workers' sweep sends another (grader/periodic.py).
    """
    try:
        grade_submission_task.apply_async(
            args=[str(submission_id)], queue=settings.GRADER_QUEUE, retry=True
        )
    except Exception:
        logger.exception("could not send submission %s to the broker", submission_id)
        return False
    return True
