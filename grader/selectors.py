import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from grader.models import GraderStatus, Submission, SubmissionEvent
from grader.submission_events import events_after
from lessons.models import Exercise


def submission_queue_position(*, submission: Submission) -> int:
    """1 for the next submission to be graded; 0 once it is no longer queued."""
    if submission.status != Submission.Status.QUEUED:
        return 0
    # Claimed by priority, then age (grader.services.submission_next_queued).
    ahead = Submission.objects.filter(status=Submission.Status.QUEUED).filter(
        Q(priority__lt=submission.priority)
        | Q(priority=submission.priority, created_at__lt=submission.created_at)
    )
    return ahead.count() + 1


def submission_visible_to(
    *, submission: Submission, user: AbstractBaseUser | AnonymousUser | None
) -> bool:
    """Its learner, whoever sent it on the learner's behalf, and superusers; nobody
    else, and never an anonymous visitor."""
    if user is None or not user.is_authenticated:
        return False
    return (
        submission.user_id == user.pk
        or submission.submitted_by_id == user.pk
        or bool(getattr(user, "is_superuser", False))
    )


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
    in the queue (0 once grading started) and the grader's status while the
    submission waits for a result."""

    events: list[dict[str, Any]]
    position: int
    grader: dict[str, Any]
    # The replay starts after this seq: the client's, or the last stored one if it is beyond.
    after: int
    # The client already has every event, the last one `completed`: nothing will come.
    finished: bool


@dataclass(frozen=True)
class StreamStart:
    after: int  # replay the stored events after this seq
    finished: bool  # the client has every event already, the last one `completed`


def event_stream_start(*, submission_id: uuid.UUID, after: int) -> StreamStart:
    """Where a stream asked to start after `after` begins. A seq beyond the stored
    ones is taken as the last stored one, so a bad Last-Event-ID cannot make the
    stream skip the events still to come and never end."""
    stored = SubmissionEvent.objects.filter(submission_id=submission_id)
    last = stored.aggregate(last=Max("seq"))["last"] or 0
    after = min(after, last)
    # `completed` is always the last event of a submission.
    done = stored.filter(type=SubmissionEvent.Type.COMPLETED).exists()
    return StreamStart(after=after, finished=done and after >= last)


def submission_catch_up(*, submission_id: uuid.UUID, after: int) -> CatchUp:
    submission = Submission.objects.get(pk=submission_id)
    position = submission_queue_position(submission=submission)
    start = event_stream_start(submission_id=submission_id, after=after)
    waiting = submission.status in (Submission.Status.QUEUED, Submission.Status.RUNNING)
    return CatchUp(
        events=events_after(submission_id=submission_id, after=start.after),
        position=position,
        # Until it is graded: a submission claimed again and again by a grader that
        # cannot reach its sandboxes is "running" for a moment each time.
        grader=grader_status_get() if waiting else {"available": True, "message": ""},
        after=start.after,
        finished=start.finished,
    )


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def submission_summary(*, submission: Submission) -> dict[str, Any]:
    """Who sent what and when: the part of the document a result callback carries."""
    return {
        "id": str(submission.id),
        "exercise": submission.exercise.slug,
        "status": submission.status,
        "mode": submission.mode,
        "learner": submission.user.get_username() if submission.user else None,
        "submitted_by": (
            submission.submitted_by.get_username() if submission.submitted_by else None
        ),
        "created_at": submission.created_at.isoformat(),
        "started_at": _when(submission.started_at),
        "finished_at": _when(submission.finished_at),
    }


def submission_document(*, submission: Submission) -> dict[str, Any]:
    """A submission with its result and events: the one JSON document of a
    submission, which the widget polls and the API's schemas serialise
    (SubmissionOut; a result callback carries its summary)."""
    return {
        **submission_summary(submission=submission),
        "position": submission_queue_position(submission=submission),
        "result": submission.result,
        "grader": grader_status_get(),
        "events": events_after(submission_id=submission.id, after=0),
    }


def submission_history(*, user: User, exercise: Exercise) -> QuerySet[Submission]:
    """The learner's own submissions of an exercise, newest first: never anyone else's."""
    return Submission.objects.filter(user=user, exercise=exercise).order_by("-created_at")


def submission_latest(*, user: User, exercise: Exercise) -> Submission | None:
    """The learner's newest submission of an exercise (a Run or a Submit, in any
    state, not an instructor's regrade of one): what the exercise page shows
    again, or follows, after a reload."""
    return (
        submission_history(user=user, exercise=exercise)
        .exclude(source=Submission.Source.REGRADE)
        .first()
    )


def graded_submissions(
    *, exercises: QuerySet[Exercise] | list[Exercise], users: QuerySet[User] | list[User]
) -> QuerySet[Submission]:
    """The graded Submits of these learners on these exercises, each in its
    latest grading: a submission a regrade graded again is left out, its
    regrade stands in for it. `sent_at` is when its learner sent the code (a
    regrade's is its original's), which is what a due date is checked against.
    What the gradebook, the analytics and a regrade read scores from."""
    return (
        Submission.objects.filter(
            exercise__in=exercises,
            user__in=users,
            mode=Submission.Mode.SUBMIT,
            status=Submission.Status.COMPLETED,
        )
        # An original regraded, and a regrade regraded again by a later one
        # (every regrade points at the original it stands in for).
        .exclude(regrades__status=Submission.Status.COMPLETED)
        .exclude(
            Exists(
                Submission.objects.filter(
                    regrade_of=OuterRef("regrade_of"),
                    status=Submission.Status.COMPLETED,
                    created_at__gt=OuterRef("created_at"),
                )
            )
        )
        .annotate(sent_at=Coalesce(F("regrade_of__created_at"), F("created_at")))
    )


def submission_passing_latest(*, user: User, exercise: Exercise) -> Submission | None:
    """The learner's newest graded Submit of the exercise with full points (a
    regrade standing in for its original): the code a project's next step may
    start from."""
    return (
        graded_submissions(exercises=[exercise], users=[user])
        .filter(score__gte=F("max_score"), max_score__gt=0)
        .order_by("-created_at")
        .first()
    )


def submission_history_get(
    *, user: User, exercise: Exercise, submission_id: uuid.UUID
) -> Submission | None:
    """One of the learner's own submissions of this exercise, or None (also for
    another learner's id, so that a guessed id tells nothing)."""
    return submission_history(user=user, exercise=exercise).filter(pk=submission_id).first()


def submission_previous(*, submission: Submission) -> Submission | None:
    """The submission its learner made of the same exercise just before this one
    (a Run or a Submit), or None for their first: what "Compare with the previous
    submission" compares it with."""
    if submission.user is None:
        return None
    return (
        submission_history(user=submission.user, exercise=submission.exercise)
        .filter(created_at__lt=submission.created_at)
        .first()
    )


def grader_status_get() -> dict[str, Any]:
    """{"available": bool, "message": str}: what the grader met at its last try."""
    status = GraderStatus.objects.filter(pk=1).first()
    if status is None:
        return {"available": True, "message": ""}
    return {"available": status.available, "message": status.message}
