import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet

from grader.models import GraderStatus, Submission
from grader.submission_events import events_after
from lessons.models import Exercise


def submission_queue_position(*, submission: Submission) -> int:
    """1 for the next submission to be graded; 0 once it is no longer queued."""
    if submission.status != Submission.Status.QUEUED:
        return 0
    ahead = Submission.objects.filter(
        status=Submission.Status.QUEUED, created_at__lt=submission.created_at
    ).count()
    return ahead + 1


def submission_visible_to(
    *, submission: Submission, user: AbstractBaseUser | AnonymousUser | None
) -> bool:
    """Its learner, and superusers; nobody else, and never an anonymous visitor."""
    if user is None or not user.is_authenticated:
        return False
    return submission.user_id == user.pk or bool(getattr(user, "is_superuser", False))


def submission_get_visible(
    *,
    submission_id: uuid.UUID,
    user: AbstractBaseUser | AnonymousUser | None,
) -> Submission | None:
    """The submission if this user (or anonymous session) may see it, else None."""
    submission = Submission.objects.select_related("exercise").filter(pk=submission_id).first()
    if submission is None:
        return None
    if not submission_visible_to(submission=submission, user=user):
        return None
    return submission


@dataclass(frozen=True)
class CatchUp:
    """What a client that (re)connects needs: the events it missed, its place
    in the queue (0 once grading started) and the grader's status."""

    events: list[dict[str, Any]]
    position: int
    grader: dict[str, Any]


def submission_catch_up(*, submission_id: uuid.UUID, after: int) -> CatchUp:
    submission = Submission.objects.get(pk=submission_id)
    position = submission_queue_position(submission=submission)
    return CatchUp(
        events=events_after(submission_id=submission_id, after=after),
        position=position,
        grader=grader_status_get() if position else {"available": True, "message": ""},
    )


def submission_document(*, submission: Submission) -> dict[str, Any]:
    """The JSON shape of a submission for polling clients."""
    return {
        "id": str(submission.id),
        "exercise": submission.exercise.slug,
        "status": submission.status,
        "mode": submission.mode,
        "position": submission_queue_position(submission=submission),
        "created_at": submission.created_at.isoformat(),
        "result": submission.result,
        "grader": grader_status_get(),
        "events": events_after(submission_id=submission.id, after=0),
    }


def submission_history(*, user: User, exercise: Exercise) -> QuerySet[Submission]:
    """The learner's own submissions of an exercise, newest first: never anyone else's."""
    return Submission.objects.filter(user=user, exercise=exercise).order_by("-created_at")


def submission_history_get(
    *, user: User, exercise: Exercise, submission_id: uuid.UUID
) -> Submission | None:
    """One of the learner's own submissions of this exercise, or None (also for
    another learner's id, so that a guessed id tells nothing)."""
    return submission_history(user=user, exercise=exercise).filter(pk=submission_id).first()


def grader_status_get() -> dict[str, Any]:
    """{"available": bool, "message": str}: what the grader met at its last try."""
    status = GraderStatus.objects.filter(pk=1).first()
    if status is None:
        return {"available": True, "message": ""}
    return {"available": status.available, "message": status.message}
