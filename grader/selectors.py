import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from grader.models import Submission
from grader.submission_events import events_after


def submission_queue_position(*, submission: Submission) -> int:
    """1 for the next submission to be graded; 0 once it is no longer queued."""
    if submission.status != Submission.Status.QUEUED:
        return 0
    ahead = Submission.objects.filter(
        status=Submission.Status.QUEUED, created_at__lt=submission.created_at
    ).count()
    return ahead + 1


def submission_visible_to(
    *, submission: Submission, user: AbstractBaseUser | AnonymousUser | None, session_key: str
) -> bool:
    if user is not None and user.is_authenticated:
        if getattr(user, "is_superuser", False):
            return True
        return submission.user_id == user.pk
    return (
        submission.user_id is None and bool(session_key) and submission.session_key == session_key
    )


def submission_get_visible(
    *,
    submission_id: uuid.UUID,
    user: AbstractBaseUser | AnonymousUser | None,
    session_key: str,
) -> Submission | None:
    """The submission if this user (or anonymous session) may see it, else None."""
    submission = Submission.objects.select_related("exercise").filter(pk=submission_id).first()
    if submission is None:
        return None
    if not submission_visible_to(submission=submission, user=user, session_key=session_key):
        return None
    return submission


def submission_catch_up(
    *, submission_id: uuid.UUID, after: int
) -> tuple[list[dict[str, Any]], int]:
    """The stored events after `after`, and the queue position if still queued."""
    submission = Submission.objects.get(pk=submission_id)
    return events_after(submission_id=submission_id, after=after), submission_queue_position(
        submission=submission
    )


def submission_document(*, submission: Submission) -> dict[str, Any]:
    """The JSON shape of a submission for polling clients."""
    return {
        "id": str(submission.id),
        "exercise": submission.exercise.slug,
        "status": submission.status,
        "position": submission_queue_position(submission=submission),
        "created_at": submission.created_at.isoformat(),
        "result": submission.result,
        "events": events_after(submission_id=submission.id, after=0),
    }
