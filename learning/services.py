"""Changes to a learner's state: progress (the grader calls exercise_progress_record
when a graded attempt completes), lesson visits, drafts and revealed hints. The
pages read them back through learning.selectors."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from config.refusals import Refused
from learning.models import Draft, ExerciseProgress, LessonVisit
from lessons.learner_files import learner_files_check
from lessons.models import Exercise, Lesson


def exercise_progress_record(*, user: User, exercise: Exercise, result: dict[str, Any]) -> None:
    """Count one graded attempt (a Submit whose result is gradable) and keep the best score."""
    if not result["gradable"]:
        return
    progress, _ = ExerciseProgress.objects.get_or_create(user=user, exercise=exercise)
    full = result["score"] >= result["max_score"] > 0
    # F() keeps concurrent gradings of the same learner from losing an attempt.
    ExerciseProgress.objects.filter(pk=progress.pk).update(
        attempts=F("attempts") + 1,
        failed_attempts=F("failed_attempts") + (0 if full else 1),
        max_score=result["max_score"],
        last_attempt_at=timezone.now(),
    )
    ExerciseProgress.objects.filter(pk=progress.pk, best_score__lt=result["score"]).update(
        best_score=result["score"]
    )
    if full:
        ExerciseProgress.objects.filter(pk=progress.pk).update(completed=True)


def exercise_progress_best_set(
    *, user: User, exercise: Exercise, best_score: float, max_score: float
) -> None:
    """Set a learner's best score as recounted after a regrade (grader/regrades.py),
    up or down: a regrade is not an attempt, so the counts stay."""
    progress, _ = ExerciseProgress.objects.get_or_create(user=user, exercise=exercise)
    ExerciseProgress.objects.filter(pk=progress.pk).update(
        best_score=best_score,
        max_score=max_score,
        completed=best_score >= max_score > 0,
    )


# --- Lesson visits -----------------------------------------------------------------------


def lesson_visit_record(*, user: User, lesson: Lesson) -> LessonVisit:
    """Note that the learner opened the lesson (first and latest time)."""
    # One UPDATE on every return visit; get_or_create copes with two first visits at once.
    seen = LessonVisit.objects.filter(user=user, lesson=lesson).update(
        last_visited_at=timezone.now()
    )
    if not seen:
        return LessonVisit.objects.get_or_create(user=user, lesson=lesson)[0]
    return LessonVisit.objects.get(user=user, lesson=lesson)


def lesson_done_mark(*, user: User, lesson: Lesson) -> LessonVisit:
    """The learner says they have read the lesson: what makes a lesson without
    exercises done (one with exercises is done by its exercises)."""
    visit = lesson_visit_record(user=user, lesson=lesson)
    if visit.done_at is None:
        visit.done_at = timezone.now()
        visit.save(update_fields=["done_at"])
    return visit


# --- Drafts ------------------------------------------------------------------------------


class ExerciseRequestInvalid(Refused):
    """A draft or hint request that cannot be met (config/refusals.py)."""


def draft_save(*, user: User, exercise: Exercise, files: object) -> Draft:
    """Replace the learner's draft of the exercise with these files."""
    clean = learner_files_check(
        exercise=exercise,
        files=files,
        kind="draft",
        refusal=ExerciseRequestInvalid,
        allow_empty=True,
    )
    draft, _ = Draft.objects.update_or_create(
        user=user, exercise=exercise, defaults={"files": clean}
    )
    return draft


def draft_delete(*, user: User, exercise: Exercise) -> None:
    Draft.objects.filter(user=user, exercise=exercise).delete()


# --- The reference solution --------------------------------------------------------------


def solution_reveal(*, user: User, exercise: Exercise) -> dict[str, str]:
    """The exercise's reference solution, for a learner who has passed it: once
    they have solved it themselves there is something to learn from another
    way, and nothing left to copy. Its author may keep it private."""
    if not exercise.solution_shown_after_pass:
        raise ExerciseRequestInvalid(
            "solution_private",
            "The author of this exercise keeps its reference solution private.",
            status=403,
        )
    progress = ExerciseProgress.objects.filter(user=user, exercise=exercise).first()
    if progress is None or not progress.completed:
        raise ExerciseRequestInvalid(
            "not_passed",
            "The reference solution opens once you pass the exercise with full points.",
            status=403,
        )
    return dict(sorted(exercise.solution_files.items()))


# --- Hints -------------------------------------------------------------------------------


def hint_reveal(*, user: User, exercise: Exercise) -> ExerciseProgress:
    """Reveal the learner's next hint: only after a failed graded attempt, one at a time."""
    progress = ExerciseProgress.objects.filter(user=user, exercise=exercise).first()
    if progress is None or progress.failed_attempts < 1:
        raise ExerciseRequestInvalid(
            "hint_locked", "Submit an attempt first; hints open after a failed one.", status=403
        )
    # One conditional UPDATE: two quick clicks reveal two hints, never one past the last.
    revealed = ExerciseProgress.objects.filter(
        pk=progress.pk, hints_revealed__lt=len(exercise.hints)
    ).update(hints_revealed=F("hints_revealed") + 1)
    if not revealed:
        raise ExerciseRequestInvalid(
            "no_more_hints",
            f"Every hint of this exercise is revealed already ({len(exercise.hints)}).",
            status=409,
        )
    progress.refresh_from_db(fields=["hints_revealed"])
    return progress
