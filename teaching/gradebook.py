"""A class's gradebook: one row per learner, one column per exercise of the
course, in course order (docs/instructors.md). The page, its CSV and the API
all read it from `gradebook_get`, which makes the same few queries for a
class of any size.

A cell's score is the best of the learner's graded Submits
(grader.selectors.graded_submissions), or, when "best before the due date" is
asked for, the best of those sent by the learner's due date. An instructor's
score override replaces it in what is shown and counted; the graded score
stays beside it.
"""

import statistics
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Max, QuerySet
from django.utils import timezone

from classes.models import Classroom, ScoreOverride
from classes.selectors import class_learners, due_dates_get, score_overrides_current
from grader.models import Submission
from grader.selectors import graded_submissions
from learning.models import ExerciseProgress
from lessons.models import Exercise, Module

# Sort keys: these, or "exercise:<slug>"; a leading "-" sorts descending.
SORTS = ("name", "total", "progress")
EXERCISE_SORT = "exercise:"


@dataclass(frozen=True)
class Column:
    exercise: Exercise
    module: Module
    max_score: float
    # The class's own due date, before any learner's extension.
    due_at: datetime | None


@dataclass(frozen=True)
class ModuleGroup:
    """A module over its exercises' columns, for the header row above them."""

    module: Module
    span: int


@dataclass(frozen=True)
class Cell:
    column: Column
    # The best graded score that counts (None: no graded Submit counts).
    graded_score: float | None
    attempts: int
    # This learner's due date (an extension wins over the class's).
    due_at: datetime | None
    override: ScoreOverride | None
    passed: bool
    # The due date is past and the exercise is not passed.
    past_due: bool

    @property
    def max_score(self) -> float:
        return self.column.max_score

    @property
    def score(self) -> float | None:
        """What is shown and counted: the override's score, else the graded one."""
        return self.override.score if self.override is not None else self.graded_score

    @property
    def overridden(self) -> bool:
        return self.override is not None


@dataclass(frozen=True)
class Row:
    learner: User
    cells: list[Cell]
    total: float
    max_total: float
    passed: int
    # Exercises passed / exercises, 0 to 1 (0 for a gradebook without columns).
    progress: float
    last_activity: datetime | None
    behind: bool = False

    @property
    def name(self) -> str:
        return self.learner.get_full_name() or self.learner.get_username()

    @property
    def missed_due(self) -> bool:
        return any(cell.past_due for cell in self.cells)

    def cell_for(self, slug: str) -> Cell | None:
        return next((cell for cell in self.cells if cell.column.exercise.slug == slug), None)


@dataclass(frozen=True)
class Gradebook:
    classroom: Classroom
    columns: list[Column]
    groups: list[ModuleGroup]
    # Every module with an exercise, for the module filter (whatever is filtered).
    modules: list[Module]
    rows: list[Row]
    median_progress: float
    module_slug: str | None = None
    before_due: bool = False
    behind_only: bool = False
    sort: str = "name"
    # Every learner of the class, also those the "behind" filter left out.
    learner_count: int = field(default=0)


def _course_exercises(classroom: Classroom) -> list[Exercise]:
    """The exercises of the class's course that a lesson offers, in reading
    order (lessons.models' orderings: module, lesson, exercise)."""
    return list(
        Exercise.objects.filter(course=classroom.course, lesson__isnull=False)
        .select_related("lesson__module")
        .order_by(
            "lesson__module__order",
            "lesson__module__slug",
            "lesson__order",
            "lesson__slug",
            "order",
            "slug",
        )
    )


def _sort_key(sort: str, columns: list[Column]) -> tuple[str, bool]:
    """(key, descending) of a sort asked for; "name" for one not known."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    slugs = {column.exercise.slug for column in columns}
    if key in SORTS or (key.startswith(EXERCISE_SORT) and key[len(EXERCISE_SORT) :] in slugs):
        return key, descending
    return "name", False


def _sorted(rows: list[Row], key: str, descending: bool) -> list[Row]:
    # By name first, so that ties keep a stable, readable order either way.
    rows = sorted(rows, key=lambda row: (row.name.casefold(), row.learner.get_username()))
    if key == "name":
        return rows[::-1] if descending else rows

    def value(row: Row) -> float:
        if key == "total":
            return row.total
        if key == "progress":
            return row.progress
        cell = row.cell_for(key[len(EXERCISE_SORT) :])
        # Not attempted sorts below a score of 0.
        return -1.0 if cell is None or cell.score is None else cell.score

    return sorted(rows, key=value, reverse=descending)


def gradebook_get(
    *,
    classroom: Classroom,
    module_slug: str | None = None,
    before_due: bool = False,
    behind_only: bool = False,
    sort: str = "name",
) -> Gradebook:
    """The class's gradebook, for one module's exercises if `module_slug` names
    one of the course (else every module's). `behind_only` keeps the learners
    who missed a due date without passing or whose progress is below the
    class's median."""
    now = timezone.now()
    exercises = _course_exercises(classroom)
    modules: list[Module] = []
    for exercise in exercises:
        assert exercise.lesson is not None  # filtered above
        if exercise.lesson.module not in modules:
            modules.append(exercise.lesson.module)
    if module_slug and any(module.slug == module_slug for module in modules):
        exercises = [e for e in exercises if e.lesson and e.lesson.module.slug == module_slug]
    else:
        module_slug = None

    dates = due_dates_get(classroom=classroom)
    columns = [
        Column(
            exercise=exercise,
            module=exercise.lesson.module,
            max_score=exercise.max_score,
            due_at=dates.class_due_at(exercise=exercise),
        )
        for exercise in exercises
        if exercise.lesson is not None
    ]
    groups: list[ModuleGroup] = []
    for column in columns:
        if groups and groups[-1].module == column.module:
            groups[-1] = ModuleGroup(module=column.module, span=groups[-1].span + 1)
        else:
            groups.append(ModuleGroup(module=column.module, span=1))

    learners = list(class_learners(classroom=classroom))
    learner_ids = [learner.pk for learner in learners]
    exercise_ids = [exercise.pk for exercise in exercises]

    graded: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for submission in graded_submissions(
        exercises=exercises,
        users=class_learners(classroom=classroom),
        # `sent_at` is graded_submissions' annotation, which its return type does not carry.
    ).values("user_id", "exercise_id", "score", "result_status", "sent_at"):  # type: ignore[misc]
        graded.setdefault((submission["user_id"], submission["exercise_id"]), []).append(submission)
    attempts = {
        (user_id, exercise_id): count
        for user_id, exercise_id, count in ExerciseProgress.objects.filter(
            user_id__in=learner_ids, exercise_id__in=exercise_ids
        ).values_list("user_id", "exercise_id", "attempts")
    }
    overrides = score_overrides_current(classroom=classroom)
    last_activity = dict(
        Submission.objects.filter(user_id__in=learner_ids, exercise__course=classroom.course)
        .exclude(source=Submission.Source.REGRADE)
        .values("user_id")
        .annotate(last=Max("created_at"))
        .values_list("user_id", "last")
    )

    rows = []
    for learner in learners:
        cells = []
        for column in columns:
            exercise = column.exercise
            due_at = dates.due_at(user_id=learner.pk, exercise=exercise)
            counted = [
                submission
                for submission in graded.get((learner.pk, exercise.pk), [])
                if not (before_due and due_at is not None and submission["sent_at"] > due_at)
            ]
            scores = [float(s["score"]) for s in counted if s["score"] is not None]
            override = overrides.get((learner.pk, exercise.pk))
            if override is not None:
                passed = override.score >= column.max_score
            else:
                passed = any(s["result_status"] == "pass" for s in counted)
            cells.append(
                Cell(
                    column=column,
                    graded_score=max(scores) if scores else None,
                    attempts=attempts.get((learner.pk, exercise.pk), 0),
                    due_at=due_at,
                    override=override,
                    passed=passed,
                    past_due=due_at is not None and due_at < now and not passed,
                )
            )
        passed_count = sum(cell.passed for cell in cells)
        rows.append(
            Row(
                learner=learner,
                cells=cells,
                total=sum(cell.score or 0.0 for cell in cells),
                max_total=sum(column.max_score for column in columns),
                passed=passed_count,
                progress=passed_count / len(cells) if cells else 0.0,
                last_activity=last_activity.get(learner.pk),
            )
        )

    median = statistics.median(row.progress for row in rows) if rows else 0.0
    rows = [replace(row, behind=row.missed_due or row.progress < median) for row in rows]
    if behind_only:
        rows = [row for row in rows if row.behind]
    key, descending = _sort_key(sort, columns)
    return Gradebook(
        classroom=classroom,
        columns=columns,
        groups=groups,
        modules=modules,
        rows=_sorted(rows, key, descending),
        median_progress=median,
        module_slug=module_slug,
        before_due=before_due,
        behind_only=behind_only,
        sort=f"-{key}" if descending else key,
        learner_count=len(learners),
    )


def class_submissions(
    *, classroom: Classroom, exercise: Exercise | None = None, learner: User | None = None
) -> QuerySet[Submission]:
    """Every submission of the class's learners to its course's exercises,
    newest first: their own, those an instructor sent on their behalf and the
    regrades of them."""
    found = Submission.objects.filter(
        user__in=class_learners(classroom=classroom), exercise__course=classroom.course
    ).select_related("exercise", "user", "submitted_by")
    if exercise is not None:
        found = found.filter(exercise=exercise)
    if learner is not None:
        found = found.filter(user=learner)
    return found.order_by("-created_at", "-id")
