"""Changes to a learner's state: progress (the grader calls exercise_progress_record
when a graded attempt completes), lesson visits, drafts and revealed hints. The
lesson views read them back through lessons.selectors."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from config.refusals import Refused
from lessons.models import Draft, Exercise, ExerciseProgress, Lesson, LessonVisit


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


# --- Lesson visits -----------------------------------------------------------------------


def lesson_visit_record(*, user: User, lesson: Lesson) -> None:
    """Note that the learner opened the lesson (first and latest time)."""
    # One UPDATE on every return visit; get_or_create copes with two first visits at once.
    seen = LessonVisit.objects.filter(user=user, lesson=lesson).update(
        last_visited_at=timezone.now()
    )
    if not seen:
        LessonVisit.objects.get_or_create(user=user, lesson=lesson)


# --- Drafts ------------------------------------------------------------------------------


class ExerciseRequestInvalid(Refused):
    """A draft or hint request that cannot be met (config/refusals.py)."""


def draft_files_validate(*, exercise: Exercise, files: object) -> dict[str, str]:
    """The submission rules (accepted names, count and size limits, same error
    codes) except that a draft may be empty: a learner may clear a file."""
    if not isinstance(files, Mapping):
        raise ExerciseRequestInvalid(
            "invalid_files", 'Send the files as an object of file name to text: {"app.py": "..."}.'
        )
    if len(files) > settings.SUBMISSION_MAX_FILES:
        raise ExerciseRequestInvalid(
            "too_many_files",
            f"A draft may hold at most {settings.SUBMISSION_MAX_FILES} files; "
            f"this one has {len(files)}.",
        )
    accepted = list(exercise.accepted_files)
    total = 0
    for name, text in files.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise ExerciseRequestInvalid(
                "invalid_files", "Every file name and file content must be text."
            )
        if name not in accepted:
            raise ExerciseRequestInvalid(
                "invalid_file_name",
                f"{name!r} is not a file of this exercise; it accepts: {', '.join(accepted)}.",
            )
        try:
            total += len(text.encode("utf-8"))
        except UnicodeEncodeError:
            raise ExerciseRequestInvalid(
                "undecodable_file", f"{name!r} contains characters that are not valid UTF-8 text."
            ) from None
    if total > settings.SUBMISSION_MAX_BYTES:
        raise ExerciseRequestInvalid(
            "submission_too_large",
            f"The draft is {total // 1024} KiB; the limit is "
            f"{settings.SUBMISSION_MAX_BYTES // 1024} KiB in total.",
            status=413,
        )
    return dict(files)


def draft_save(*, user: User, exercise: Exercise, files: object) -> Draft:
    """Replace the learner's draft of the exercise with these files."""
    clean = draft_files_validate(exercise=exercise, files=files)
    draft, _ = Draft.objects.update_or_create(
        user=user, exercise=exercise, defaults={"files": clean}
    )
    return draft


def draft_delete(*, user: User, exercise: Exercise) -> None:
    Draft.objects.filter(user=user, exercise=exercise).delete()


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
