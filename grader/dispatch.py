"""Getting a stored submission to a grader: what the submitting side
(grader.services) calls once a submission is committed. A leaf: it queues and
nothing else, and imports nothing of grader.

The queue itself is the database. Inline mode (the default, one machine):
dispatching wakes this process's grader pool (grader/inline.py), which
registers itself here as it starts; a process without one (a management
command) leaves the submission to the server's pool, which looks for queued
work every GRADER_POLL_SECONDS. Celery mode (GRADER_BACKEND=celery): a task
by name on the Redis broker, graded by Celery workers on any host
(grader/tasks.py), a regrade's on a queue of its own; when it cannot be sent
or is lost later, the workers' sweep (grader/periodic.py) sends another.
"""

import logging
import uuid
from collections.abc import Callable

from django.conf import settings

from config.celery import app as celery_app

logger = logging.getLogger(__name__)

# The grading task's name (grader/tasks.py), which names one submission.
GRADE_TASK = "grader.grade_submission"

_inline_wake: Callable[[], None] | None = None


def inline_wake_register(wake: Callable[[], None] | None) -> None:
    """The inline pool of this process says how to wake it (None when it stops)."""
    global _inline_wake
    _inline_wake = wake


def submission_dispatch(*, submission_id: uuid.UUID, regrade: bool = False) -> bool:
    """Get a queued submission graded. False when the broker could not be
    reached; never raises: the submission is stored as queued either way.

    A regrade's goes to its own queue, which workers read only when the live
    one is empty (CELERY_BROKER_TRANSPORT_OPTIONS' queue order, docs/deploy.md).
    """
    if settings.GRADER_BACKEND != "celery":
        if _inline_wake is not None:
            _inline_wake()
        return True
    try:
        celery_app.send_task(
            GRADE_TASK,
            args=[str(submission_id)],
            queue=settings.GRADER_REGRADE_QUEUE if regrade else settings.GRADER_QUEUE,
            retry=True,
        )
    except Exception:
        logger.exception("could not send submission %s to the broker", submission_id)
        return False
    return True
