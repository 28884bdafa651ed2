"""Changes to a learner's progress. The grader calls these when a graded
attempt completes; the lesson views read progress through lessons.selectors."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from lessons.models import Exercise, ExerciseProgress


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
