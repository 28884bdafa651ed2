"""Regrades: an instructor grades a class's submissions for one exercise again
with its current tests, after a content load changed them (docs/instructors.md).

Each learner's latest graded submission (or their best) is copied into a new
Submission of priority REGRADE that points at the original: the original
keeps its result and score, the copy stands in for it from then on
(grader.selectors.graded_submissions), and the learner's best score is
recounted from the stand-ins. A regrade is not an attempt and is not held
against the learner's limits. Its submissions are claimed after every live
one, on both backends (grader/inline.py, grader/dispatch.py), so a regrade
of hundreds never holds up a learner waiting on a page.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from classes.models import Classroom
from classes.selectors import class_learners
from config.refusals import Refused
from grader import dispatch
from grader.models import Regrade, Submission, SubmissionEvent
from grader.selectors import graded_submissions, submission_queue_position
from grader.services import submission_withdraw
from grader.submission_events import event_append
from lessons.models import Exercise

_OPEN = (Submission.Status.QUEUED, Submission.Status.RUNNING)


class RegradeRefused(Refused):
    """A regrade that cannot start or be cancelled; nothing was changed."""


def _chosen(*, classroom: Classroom, exercise: Exercise, which: str) -> list[Submission]:
    """Per learner of the class, the graded submission to grade again."""
    chosen: dict[int, Submission] = {}
    standing = graded_submissions(exercises=[exercise], users=class_learners(classroom=classroom))
    sent = Coalesce(F("regrade_of__created_at"), F("created_at"))
    for submission in standing.order_by(sent, "created_at"):
        assert submission.user_id is not None
        current = chosen.get(submission.user_id)
        if (
            current is None
            or which == Regrade.Which.LATEST
            or (submission.score or 0) >= (current.score or 0)
        ):
            chosen[submission.user_id] = submission
    return list(chosen.values())


def regrade_start(
    *, classroom: Classroom, exercise: Exercise, which: str, requested_by: User
) -> Regrade:
    """Queue a regrade of the class's submissions of `exercise`. Refused when
    one of the same exercise and class is still running, or there is nothing
    to regrade."""
    if exercise.course_id != classroom.course_id:
        raise RegradeRefused(
            "unknown_exercise", f"{exercise.slug!r} is not an exercise of this class's course."
        )
    if which not in Regrade.Which.values:
        raise RegradeRefused(
            "invalid_which",
            f"Regrade each learner's latest or best submission: which is one of "
            f"{', '.join(Regrade.Which.values)}.",
            fields={"which": "latest or best"},
        )
    if Submission.objects.filter(
        regrade__classroom=classroom, regrade__exercise=exercise, status__in=_OPEN
    ).exists():
        raise RegradeRefused(
            "regrade_running",
            f"A regrade of {exercise.title!r} for this class is still running: wait for it "
            "to finish, or cancel it.",
            status=409,
        )
    chosen = _chosen(classroom=classroom, exercise=exercise, which=which)
    if not chosen:
        raise RegradeRefused(
            "nothing_to_regrade",
            f"No learner of this class has a graded submission of {exercise.title!r} yet.",
            status=409,
        )
    with transaction.atomic():
        regrade = Regrade.objects.create(
            classroom=classroom, exercise=exercise, which=which, requested_by=requested_by
        )
        copies = Submission.objects.bulk_create(
            [
                Submission(
                    exercise=exercise,
                    user_id=original.user_id,
                    submitted_by=requested_by,
                    source=Submission.Source.REGRADE,
                    mode=Submission.Mode.SUBMIT,
                    files=original.files,
                    priority=Submission.Priority.REGRADE,
                    regrade=regrade,
                    # Always the learner's own submission, also when the one
                    # chosen is an earlier regrade's copy of it.
                    regrade_of_id=original.regrade_of_id or original.pk,
                )
                for original in chosen
            ]
        )
        for copy in copies:
            event_append(
                submission_id=copy.id,
                type=SubmissionEvent.Type.QUEUED,
                data={"position": submission_queue_position(submission=copy)},
            )
        ids = [copy.id for copy in copies]
        transaction.on_commit(
            lambda: [dispatch.submission_dispatch(submission_id=i, regrade=True) for i in ids]
        )
    return regrade


def regrade_cancel(*, regrade: Regrade) -> Regrade:
    """Stop a regrade: what is queued is cancelled, what runs is stopped. The
    submissions already regraded keep their new results."""
    if regrade.cancelled_at is None:
        regrade.cancelled_at = timezone.now()
        regrade.save(update_fields=["cancelled_at"])
    for submission in regrade.submissions.filter(status__in=_OPEN).select_related("exercise"):
        # A grading that ended meanwhile is no error: it is done either way.
        if submission.status in _OPEN:
            try:
                submission_withdraw(submission=submission)
            except Refused:
                continue
    return regrade


@dataclass(frozen=True)
class RegradeProgress:
    total: int
    graded: int
    cancelled: int
    waiting: int

    @property
    def finished(self) -> bool:
        return self.waiting == 0

    @property
    def percent(self) -> int:
        return round(100 * (self.graded + self.cancelled) / self.total) if self.total else 100

    def as_json(self) -> dict[str, object]:
        return {
            "total": self.total,
            "graded": self.graded,
            "cancelled": self.cancelled,
            "waiting": self.waiting,
            "finished": self.finished,
            "percent": self.percent,
        }


def regrade_progress(*, regrade: Regrade) -> RegradeProgress:
    statuses = list(regrade.submissions.values_list("status", flat=True))
    return RegradeProgress(
        total=len(statuses),
        graded=statuses.count(Submission.Status.COMPLETED),
        cancelled=statuses.count(Submission.Status.CANCELLED),
        waiting=sum(status in _OPEN for status in statuses),
    )


@dataclass(frozen=True)
class ScoreChange:
    learner: str
    user_id: int
    # What the regraded submission scored before (None: never graded), and now.
    before: float | None
    after: float | None
    max_score: float
    submission_id: str
    status: str

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def regrade_changes(*, regrade: Regrade) -> list[ScoreChange]:
    """One row per regraded submission: its score before the regrade (the
    original's, or an earlier regrade's), its score now; biggest changes first."""
    copies = list(regrade.submissions.select_related("user", "regrade_of", "exercise"))
    # Earlier regrades' scores of the same originals, oldest first.
    earlier: dict[object, list[tuple[datetime, float | None]]] = defaultdict(list)
    for original_id, created_at, score in (
        Submission.objects.filter(
            regrade_of__in=[copy.regrade_of_id for copy in copies],
            status=Submission.Status.COMPLETED,
        )
        .exclude(regrade=regrade)
        .order_by("created_at")
        .values_list("regrade_of_id", "created_at", "score")
    ):
        earlier[original_id].append((created_at, score))
    rows = []
    for copy in copies:
        assert copy.regrade_of is not None and copy.user is not None
        before = copy.regrade_of.score
        for created_at, score in earlier[copy.regrade_of_id]:
            if created_at < copy.created_at:
                before = score
        rows.append(
            ScoreChange(
                learner=copy.user.get_username(),
                user_id=copy.user.pk,
                before=before,
                after=copy.score if copy.status == Submission.Status.COMPLETED else None,
                max_score=copy.exercise.max_score,
                submission_id=str(copy.id),
                status=copy.status,
            )
        )
    return sorted(rows, key=lambda row: (-abs(row.delta or 0), row.learner))
