"""Read-only queries of learner state: progress, the course outline with it, drafts, hints."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from classes.selectors import learner_due_dates, learner_score_overrides
from learning.models import Draft, ExerciseProgress, LessonVisit
from learning.questions import QuestionsCount, questions_answered_map
from lessons.markdown_render import markdown_render
from lessons.models import Course, Exercise, Lesson, Module
from lessons.selectors import course_list, course_modules


class ProgressStatus(StrEnum):
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return {"done": "Done", "in_progress": "In progress", "not_started": "Not started"}[self]


@dataclass(frozen=True)
class ProgressCount:
    """Exercises done out of those in the course's lessons."""

    done: int
    total: int

    @property
    def status(self) -> ProgressStatus:
        if self.total and self.done >= self.total:
            return ProgressStatus.DONE
        return ProgressStatus.IN_PROGRESS if self.done else ProgressStatus.NOT_STARTED


@dataclass(frozen=True)
class CourseCard:
    course: Course
    lesson_count: int
    exercise_count: int
    # None for an anonymous visitor: nothing is tracked.
    progress: ProgressCount | None
    continue_lesson: Lesson | None = None


@dataclass(frozen=True)
class DueNote:
    """When an exercise is due for a learner, as the pages show it: "Due <date>
    (<class>)", "extended" when an extension applies, "past due" once passed."""

    due_at: datetime
    class_name: str
    extended: bool
    past: bool


@dataclass(frozen=True)
class ScoreOverrideNote:
    """A score an instructor set by hand, shown to the learner with the reason."""

    score: float
    max_score: float
    reason: str
    class_name: str
    set_at: datetime


@dataclass(frozen=True)
class ExerciseOutline:
    exercise: Exercise
    url: str
    status: ProgressStatus | None
    # The learner's record: None for an anonymous visitor or before any attempt.
    progress: ExerciseProgress | None = None
    # Its due date in the learner's class, if it has one.
    due: DueNote | None = None


@dataclass(frozen=True)
class LessonOutline:
    lesson: Lesson
    status: ProgressStatus | None
    exercises: list[ExerciseOutline]


@dataclass(frozen=True)
class ModuleOutline:
    module: Module
    lessons: list[LessonOutline]


@dataclass(frozen=True)
class CourseOutline:
    course: Course
    modules: list[ModuleOutline]
    first_lesson: Lesson | None
    progress: ProgressCount | None
    # Where the learner left off: None before their first visit, and once every
    # lesson is done.
    continue_lesson: Lesson | None = None


def _learner(user: User | AnonymousUser | None) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated else None


def exercise_progress_map(
    *, user: User | AnonymousUser | None, exercises: Iterable[Exercise]
) -> dict[int, ExerciseProgress]:
    """The learner's progress rows by exercise id (empty for anonymous visitors)."""
    learner = _learner(user)
    if learner is None:
        return {}
    rows = ExerciseProgress.objects.filter(
        user=learner, exercise__in=[exercise.pk for exercise in exercises]
    )
    return {row.exercise_id: row for row in rows}


def due_notes(*, user: User | AnonymousUser | None, course: Course) -> dict[int, DueNote]:
    """{exercise id: its due date for this learner} in the course, from their
    classes (classes.selectors.learner_due_dates): read once for a page."""
    learner = _learner(user)
    if learner is None:
        return {}
    now = timezone.now()
    return {
        exercise_id: DueNote(
            due_at=due.due_at,
            class_name=due.classroom.name,
            extended=due.extended,
            past=due.due_at <= now,
        )
        for exercise_id, due in learner_due_dates(user=learner, course=course).items()
    }


def score_override_notes(
    *, user: User | AnonymousUser | None, exercise: Exercise
) -> list[ScoreOverrideNote]:
    """The scores set by hand for this learner on this exercise, newest (the
    one that counts) first."""
    learner = _learner(user)
    if learner is None:
        return []
    return [
        ScoreOverrideNote(
            score=override.score,
            max_score=exercise.max_score,
            reason=override.reason,
            class_name=override.classroom.name,
            set_at=override.created_at,
        )
        for override in learner_score_overrides(user=learner, exercise=exercise)
    ]


def exercise_progress_get(*, user: User, exercise: Exercise) -> ExerciseProgress | None:
    return ExerciseProgress.objects.filter(user=user, exercise=exercise).first()


def exercise_status(*, progress: ExerciseProgress | None) -> ProgressStatus:
    """Done with full points once; in progress after any graded attempt."""
    if progress is None:
        return ProgressStatus.NOT_STARTED
    if progress.completed:
        return ProgressStatus.DONE
    return ProgressStatus.IN_PROGRESS if progress.attempts else ProgressStatus.NOT_STARTED


def lesson_status(
    *,
    exercises: list[ProgressStatus],
    visited: bool,
    marked_done: bool = False,
    questions: QuestionsCount | None = None,
) -> ProgressStatus:
    """A lesson with exercises is done when they all are and its check-yourself
    questions are answered right. One without is done once its learner marks it
    done, or answers all its questions right; not by being opened."""
    questions_right = questions is None or questions.all_correct
    if not exercises:
        if marked_done or (questions is not None and questions.all_correct):
            return ProgressStatus.DONE
    elif all(status == ProgressStatus.DONE for status in exercises) and questions_right:
        return ProgressStatus.DONE
    started = any(status != ProgressStatus.NOT_STARTED for status in exercises)
    if visited or started or (questions is not None and questions.answered):
        return ProgressStatus.IN_PROGRESS
    return ProgressStatus.NOT_STARTED


def course_cards(*, user: User | AnonymousUser | None) -> list[CourseCard]:
    """The catalog: every course with its counts and the learner's progress."""
    courses = course_list().annotate(
        exercise_count=Count("exercises", filter=Q(exercises__lesson__isnull=False), distinct=True),
        lessons_counted=Count("lessons", distinct=True),
    )
    learner = _learner(user)
    done: dict[int, int] = {}
    visited_courses: set[int] = set()
    if learner is not None:
        visited_courses = set(
            LessonVisit.objects.filter(user=learner).values_list("lesson__course_id", flat=True)
        )
        rows = (
            ExerciseProgress.objects.filter(
                user=learner, completed=True, exercise__lesson__isnull=False
            )
            .values("exercise__course_id")
            .annotate(done=Count("id"))
        )
        done = {row["exercise__course_id"]: row["done"] for row in rows}
    return [
        CourseCard(
            course=course,
            lesson_count=course.lessons_counted,
            exercise_count=course.exercise_count,
            progress=(
                ProgressCount(done=done.get(course.pk, 0), total=course.exercise_count)
                if learner is not None
                else None
            ),
            continue_lesson=(
                course_outline_get(course=course, user=learner).continue_lesson
                if course.pk in visited_courses
                else None
            ),
        )
        for course in courses
    ]


def course_outline_get(
    *,
    course: Course,
    user: User | AnonymousUser | None,
    due_dates: Mapping[int, DueNote] | None = None,
) -> CourseOutline:
    """Modules, lessons and exercises in order, each with the learner's status
    (and its due date, from `due_dates`, see due_notes)."""
    learner = _learner(user)
    modules = course_modules(course=course)
    # An exercise dropped from every lesson is kept for its submissions but is
    # no longer part of the course.
    exercises = list(
        Exercise.objects.filter(course=course, lesson__isnull=False).order_by("order", "slug")
    )
    progress = exercise_progress_map(user=learner, exercises=exercises)
    visits: dict[int, LessonVisit] = {}
    if learner is not None:
        visits = {
            visit.lesson_id: visit
            for visit in LessonVisit.objects.filter(user=learner, lesson__course=course)
        }
    by_lesson: dict[int, list[Exercise]] = {}
    for exercise in exercises:
        if exercise.lesson_id is not None:
            by_lesson.setdefault(exercise.lesson_id, []).append(exercise)

    questions = questions_answered_map(
        user=learner, lessons=[lesson for module in modules for lesson in module.lessons.all()]
    )
    outlines = []
    for module in modules:
        lessons = []
        for lesson in module.lessons.all():
            lesson.course = course
            items = [
                ExerciseOutline(
                    exercise=exercise,
                    # Its workspace: the task and the editor side by side.
                    url=reverse(
                        "learning:exercise",
                        kwargs={
                            "course_slug": course.slug,
                            "lesson_slug": lesson.slug,
                            "exercise_slug": exercise.slug,
                        },
                    ),
                    status=(
                        exercise_status(progress=progress.get(exercise.pk))
                        if learner is not None
                        else None
                    ),
                    progress=progress.get(exercise.pk),
                    due=due_dates.get(exercise.pk) if due_dates else None,
                )
                for exercise in by_lesson.get(lesson.pk, [])
            ]
            status = None
            if learner is not None:
                visit = visits.get(lesson.pk)
                status = lesson_status(
                    exercises=[item.status for item in items if item.status is not None],
                    visited=visit is not None,
                    marked_done=visit is not None and visit.done_at is not None,
                    questions=questions.get(lesson.pk),
                )
            lessons.append(LessonOutline(lesson=lesson, status=status, exercises=items))
        outlines.append(ModuleOutline(module=module, lessons=lessons))

    first = next((item.lessons[0].lesson for item in outlines if item.lessons), None)
    done = sum(1 for row in progress.values() if row.completed)
    return CourseOutline(
        course=course,
        modules=outlines,
        first_lesson=first,
        progress=ProgressCount(done=done, total=len(exercises)) if learner is not None else None,
        continue_lesson=_continue_lesson(outlines, visits),
    )


def _continue_lesson(
    outlines: list[ModuleOutline], visits: dict[int, LessonVisit]
) -> Lesson | None:
    """The lesson the learner was last on if it is not done, else the first one
    after it that is not (wrapping round to any lesson left behind)."""
    if not visits:
        return None
    lessons = [entry for module in outlines for entry in module.lessons]
    latest = max(visits.values(), key=lambda visit: visit.last_visited_at)
    start = next(
        (index for index, entry in enumerate(lessons) if entry.lesson.pk == latest.lesson_id), 0
    )
    for entry in lessons[start:] + lessons[:start]:
        if entry.status != ProgressStatus.DONE:
            return entry.lesson
    return None


# --- Drafts and hints --------------------------------------------------------------------


def draft_get(*, user: User, exercise: Exercise) -> Draft | None:
    """The learner's own draft, holding only files the exercise still accepts."""
    draft = Draft.objects.filter(user=user, exercise=exercise).first()
    if draft is not None:
        accepted = set(exercise.accepted_files)
        draft.files = {name: text for name, text in draft.files.items() if name in accepted}
    return draft


@dataclass(frozen=True)
class HintState:
    """The hints a learner has revealed (as HTML) and whether another may be revealed now."""

    revealed_html: list[str]
    total: int
    can_reveal: bool

    def as_json(self) -> dict[str, object]:
        return {"hints": self.revealed_html, "total": self.total, "can_reveal": self.can_reveal}


def hint_state_get(*, exercise: Exercise, progress: ExerciseProgress | None) -> HintState:
    total = len(exercise.hints)
    # The course may have been reloaded with fewer hints since they were revealed.
    revealed = min(progress.hints_revealed, total) if progress is not None else 0
    unlocked = progress is not None and progress.failed_attempts >= 1
    return HintState(
        revealed_html=[
            markdown_render(hint, smart=True).html for hint in exercise.hints[:revealed]
        ],
        total=total,
        can_reveal=unlocked and revealed < total,
    )
