"""Changes to classes: creating one, joining it, its instructors and learners,
due dates, extensions and scores set by hand. Every refusal is a ClassRefused
(config/refusals.py) that says what to fix; nothing is stored half-way.

Whether the acting user may do it (is an instructor of the class) is the
caller's check, through classes.selectors.classroom_taught.
"""

import secrets
from datetime import date, datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from classes.models import Classroom, Deadline, Extension, Membership, ScoreOverride
from config.refusals import Refused
from lessons.models import Course, Exercise, Module

# No 0/O, 1/I/L: a code is read aloud and typed from a projector.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


class ClassRefused(Refused):
    """A change to a class refused; nothing was stored."""


def join_code_normalize(code: str) -> str:
    """What a learner typed, as stored: upper case, without spaces or dashes."""
    return "".join(code.split()).replace("-", "").upper()


def _join_code_new() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def classroom_create(
    *,
    course: Course,
    name: str,
    created_by: User,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Classroom:
    """A new class of `course`, taught by its creator, who must teach the course."""
    if not course.instructors.filter(pk=created_by.pk).exists():
        raise ClassRefused(
            "not_course_instructor",
            f"Only an instructor of {course.title!r} can create a class for it; ask an "
            "operator to add you to the course's instructors in the admin.",
            status=403,
        )
    name = name.strip()
    if not name:
        raise ClassRefused("name_required", "Give the class a name.", fields={"name": "required"})
    if starts_on and ends_on and ends_on < starts_on:
        raise ClassRefused(
            "dates_reversed",
            "The class ends before it starts: swap the dates.",
            fields={"ends_on": "before starts_on"},
        )
    for _ in range(10):
        try:
            with transaction.atomic():
                classroom = Classroom.objects.create(
                    course=course,
                    name=name,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    join_code=_join_code_new(),
                    created_by=created_by,
                )
                classroom.instructors.add(created_by)
                return classroom
        except IntegrityError:
            continue  # the code was taken: draw another
    raise ClassRefused("join_code_exhausted", "Could not draw a free join code; try again.")


def classroom_join(*, user: User, code: str) -> Classroom:
    """Put `user` in the class whose code this is. Joining twice is no error."""
    classroom = Classroom.objects.filter(join_code=join_code_normalize(code)).first()
    if classroom is None:
        raise ClassRefused(
            "unknown_join_code",
            "No class has that code. Check it with your instructor: codes have 8 letters "
            "and digits, without 0, O, 1, I or L.",
            status=404,
            fields={"code": "unknown"},
        )
    if Membership.objects.filter(classroom=classroom, user=user).exists():
        return classroom
    if not classroom.joining_open:
        raise ClassRefused(
            "joining_closed",
            f"{classroom.name!r} no longer takes new learners; ask its instructor to open it.",
            status=403,
        )
    if classroom.instructors.filter(pk=user.pk).exists():
        raise ClassRefused(
            "instructor_cannot_join",
            "You teach this class; learners join it with the code.",
            status=409,
        )
    Membership.objects.get_or_create(classroom=classroom, user=user)
    return classroom


def joining_set(*, classroom: Classroom, is_open: bool) -> Classroom:
    classroom.joining_open = is_open
    classroom.save(update_fields=["joining_open"])
    return classroom


def instructor_add(*, classroom: Classroom, username: str) -> User:
    """Make another user a co-instructor of the class (not of the course)."""
    instructor = User.objects.filter(username=username.strip()).first()
    if instructor is None:
        raise ClassRefused(
            "unknown_user",
            f"There is no user called {username.strip()!r}: they need an account first.",
            status=404,
            fields={"username": "unknown"},
        )
    if Membership.objects.filter(classroom=classroom, user=instructor).exists():
        raise ClassRefused(
            "is_a_learner",
            f"{instructor.username} is a learner of this class; remove them first.",
            status=409,
        )
    classroom.instructors.add(instructor)
    return instructor


def learner_remove(*, classroom: Classroom, user_id: int) -> None:
    """Take a learner out of the class. Their submissions and progress stay theirs."""
    removed, _ = Membership.objects.filter(classroom=classroom, user_id=user_id).delete()
    if not removed:
        raise ClassRefused("not_a_learner", "That user is not a learner of this class.", status=404)


def _learner_check(*, classroom: Classroom, user_id: int) -> None:
    if not Membership.objects.filter(classroom=classroom, user_id=user_id).exists():
        raise ClassRefused("not_a_learner", "That user is not a learner of this class.", status=404)


def _target(
    *, classroom: Classroom, module_slug: str | None, exercise_slug: str | None
) -> tuple[Module | None, Exercise | None]:
    if bool(module_slug) == bool(exercise_slug):
        raise ClassRefused(
            "one_target",
            "Name a module or an exercise (one of them) the date is for.",
            fields={"module": "one of module or exercise", "exercise": "one of module or exercise"},
        )
    if module_slug:
        module = Module.objects.filter(course=classroom.course, slug=module_slug).first()
        if module is None:
            raise ClassRefused(
                "unknown_module",
                f"{classroom.course.title!r} has no module {module_slug!r}.",
                fields={"module": "unknown"},
            )
        return module, None
    exercise = Exercise.objects.filter(course=classroom.course, slug=exercise_slug).first()
    if exercise is None:
        raise ClassRefused(
            "unknown_exercise",
            f"{classroom.course.title!r} has no exercise {exercise_slug!r}.",
            fields={"exercise": "unknown"},
        )
    return None, exercise


def deadline_set(
    *,
    classroom: Classroom,
    due_at: datetime | None,
    module_slug: str | None = None,
    exercise_slug: str | None = None,
) -> Deadline | None:
    """Set (or, with due_at None, remove) a class's due date for a module or an exercise."""
    module, exercise = _target(
        classroom=classroom, module_slug=module_slug, exercise_slug=exercise_slug
    )
    existing = Deadline.objects.filter(classroom=classroom, module=module, exercise=exercise)
    if due_at is None:
        existing.delete()
        return None
    deadline, _ = Deadline.objects.update_or_create(
        classroom=classroom, module=module, exercise=exercise, defaults={"due_at": due_at}
    )
    return deadline


def extension_grant(
    *,
    classroom: Classroom,
    user_id: int,
    due_at: datetime | None,
    granted_by: User,
    module_slug: str | None = None,
    exercise_slug: str | None = None,
) -> Extension | None:
    """Give one learner a due date of their own (or, with due_at None, take it back)."""
    _learner_check(classroom=classroom, user_id=user_id)
    module, exercise = _target(
        classroom=classroom, module_slug=module_slug, exercise_slug=exercise_slug
    )
    existing = Extension.objects.filter(
        classroom=classroom, user_id=user_id, module=module, exercise=exercise
    )
    if due_at is None:
        existing.delete()
        return None
    extension, _ = Extension.objects.update_or_create(
        classroom=classroom,
        user_id=user_id,
        module=module,
        exercise=exercise,
        defaults={"due_at": due_at, "granted_by": granted_by},
    )
    return extension


def score_override_set(
    *,
    classroom: Classroom,
    user_id: int,
    exercise: Exercise,
    score: float,
    reason: str,
    set_by: User,
) -> ScoreOverride:
    """Record a score set by hand. It counts from now on; the graded score and
    earlier overrides stay visible beside it."""
    _learner_check(classroom=classroom, user_id=user_id)
    if exercise.course_id != classroom.course_id:
        raise ClassRefused(
            "unknown_exercise",
            f"{exercise.slug!r} is not an exercise of this class's course.",
            status=404,
        )
    if not 0 <= score <= exercise.max_score:
        raise ClassRefused(
            "score_out_of_range",
            f"A score for {exercise.slug!r} is between 0 and {exercise.max_score:g}.",
            fields={"score": f"0 to {exercise.max_score:g}"},
        )
    reason = reason.strip()
    if not reason:
        raise ClassRefused(
            "reason_required",
            "Say why you set the score: the learner sees the reason.",
            fields={"reason": "required"},
        )
    return ScoreOverride.objects.create(
        classroom=classroom,
        user_id=user_id,
        exercise=exercise,
        score=score,
        reason=reason,
        set_by=set_by,
    )
