"""Reading classes: who teaches and who takes them, and when work is due.

Every instructor page and endpoint finds its class through
`classroom_taught`, so "only a class's instructors see its learners" is
decided in one place.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from classes.models import Classroom, Deadline, Extension, Membership, ScoreOverride
from lessons.models import Course, Exercise


def classes_taught(*, user: User | AnonymousUser) -> QuerySet[Classroom]:
    if not user.is_authenticated:
        return Classroom.objects.none()
    return Classroom.objects.filter(instructors=user).select_related("course")


def classroom_taught(*, user: User | AnonymousUser, classroom_id: int) -> Classroom | None:
    """The class if `user` is one of its instructors; None for anyone else."""
    return classes_taught(user=user).filter(pk=classroom_id).first()


def classes_joined(
    *, user: User | AnonymousUser, course: Course | None = None
) -> QuerySet[Classroom]:
    if not user.is_authenticated:
        return Classroom.objects.none()
    joined = Classroom.objects.filter(memberships__user=user).select_related("course")
    return joined.filter(course=course) if course is not None else joined


def class_learners(*, classroom: Classroom) -> QuerySet[User]:
    return User.objects.filter(class_memberships__classroom=classroom).order_by("username")


def learner_taught_by(*, instructor: User | AnonymousUser, learner_id: int, course: Course) -> bool:
    """Whether `instructor` teaches a class of `course` that `learner_id` is in:
    what lets an instructor read a learner's submissions."""
    if not instructor.is_authenticated:
        return False
    return Membership.objects.filter(
        user_id=learner_id, classroom__course=course, classroom__instructors=instructor
    ).exists()


@dataclass
class DueDates:
    """A class's due dates and extensions, read once, for looking up many
    (learner, exercise) pairs: an extension for the exercise, then one for its
    module, then the class's date for the exercise, then for its module."""

    for_exercise: dict[int, datetime] = field(default_factory=dict)
    for_module: dict[int, datetime] = field(default_factory=dict)
    extended_exercise: dict[tuple[int, int], datetime] = field(default_factory=dict)
    extended_module: dict[tuple[int, int], datetime] = field(default_factory=dict)

    def due_at(self, *, user_id: int, exercise: Exercise) -> datetime | None:
        module_id = exercise.lesson.module_id if exercise.lesson else None
        for due in (
            self.extended_exercise.get((user_id, exercise.pk)),
            self.extended_module.get((user_id, module_id)) if module_id else None,
            self.for_exercise.get(exercise.pk),
            self.for_module.get(module_id) if module_id else None,
        ):
            if due is not None:
                return due
        return None

    def class_due_at(self, *, exercise: Exercise) -> datetime | None:
        """The class's own date, before any learner's extension."""
        module_id = exercise.lesson.module_id if exercise.lesson else None
        return self.for_exercise.get(exercise.pk) or (
            self.for_module.get(module_id) if module_id else None
        )


def due_dates_get(*, classroom: Classroom) -> DueDates:
    dates = DueDates()
    for deadline in Deadline.objects.filter(classroom=classroom):
        if deadline.exercise_id:
            dates.for_exercise[deadline.exercise_id] = deadline.due_at
        elif deadline.module_id:
            dates.for_module[deadline.module_id] = deadline.due_at
    for extension in Extension.objects.filter(classroom=classroom):
        if extension.exercise_id:
            dates.extended_exercise[(extension.user_id, extension.exercise_id)] = extension.due_at
        elif extension.module_id:
            dates.extended_module[(extension.user_id, extension.module_id)] = extension.due_at
    return dates


@dataclass(frozen=True)
class LearnerDue:
    """When an exercise is due for a learner, and in which class."""

    due_at: datetime
    classroom: Classroom
    extended: bool


def learner_due_dates(*, user: User | AnonymousUser, course: Course) -> dict[int, LearnerDue]:
    """{exercise id: its due date for this learner}, over the learner's classes
    of `course`; in several classes, the earliest."""
    found: dict[int, LearnerDue] = {}
    exercises = list(Exercise.objects.filter(course=course).select_related("lesson"))
    for classroom in classes_joined(user=user, course=course):
        dates = due_dates_get(classroom=classroom)
        assert isinstance(user, User)
        for exercise in exercises:
            due = dates.due_at(user_id=user.pk, exercise=exercise)
            if due is None:
                continue
            if exercise.pk not in found or due < found[exercise.pk].due_at:
                found[exercise.pk] = LearnerDue(
                    due_at=due,
                    classroom=classroom,
                    extended=due != dates.class_due_at(exercise=exercise),
                )
    return found


def score_overrides_current(*, classroom: Classroom) -> dict[tuple[int, int], ScoreOverride]:
    """{(learner id, exercise id): the newest override} in a class."""
    current: dict[tuple[int, int], ScoreOverride] = {}
    # Newest first (the model's ordering): the first seen for a pair counts.
    for override in ScoreOverride.objects.filter(classroom=classroom).select_related("set_by"):
        current.setdefault((override.user_id, override.exercise_id), override)
    return current


def learner_score_overrides(
    *, user: User | AnonymousUser, exercise: Exercise
) -> list[ScoreOverride]:
    """Every score set by hand for this learner on this exercise, newest first,
    in any of their classes: shown to the learner with the reason."""
    if not user.is_authenticated:
        return []
    return list(
        ScoreOverride.objects.filter(user=user, exercise=exercise).select_related(
            "classroom", "set_by"
        )
    )
