"""classes.services and the due-date selectors: creating and joining a class,
its instructors and learners, due dates and extensions (docs/instructors.md)."""

from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
from django.contrib.auth.models import User

from classes.models import Classroom, Deadline, Extension, Membership
from classes.selectors import due_dates_get, learner_due_dates
from classes.services import (
    ClassRefused,
    classroom_create,
    classroom_join,
    deadline_set,
    extension_grant,
    instructor_add,
    joining_set,
    learner_remove,
)
from tests.support.classes import ClassWorld

pytestmark = pytest.mark.django_db

JAN = datetime(2030, 1, 15, 17, 0, tzinfo=UTC)


def refusal(error: pytest.ExceptionInfo[ClassRefused]) -> tuple[str, int]:
    return error.value.code, error.value.status


def test_a_course_instructor_creates_a_class_and_teaches_it(class_world: ClassWorld) -> None:
    created = classroom_create(
        course=class_world.course,
        name="  Spring group ",
        created_by=class_world.class_instructor,
        starts_on=date(2030, 3, 1),
        ends_on=date(2030, 6, 30),
    )

    assert created.name == "Spring group"
    assert list(created.instructors.all()) == [class_world.class_instructor]
    assert created.joining_open
    assert len(created.join_code) == 8
    assert not set(created.join_code) & set("01OIL")


def test_only_an_instructor_of_the_course_creates_a_class(class_world: ClassWorld) -> None:
    before = Classroom.objects.count()
    for user in (class_world.other_instructor, class_world.class_learner):
        with pytest.raises(ClassRefused) as error:
            classroom_create(course=class_world.course, name="Mine", created_by=user)
        assert refusal(error) == ("not_course_instructor", 403)
    assert Classroom.objects.count() == before


@pytest.mark.parametrize(
    ("name", "ends_on", "code"),
    [(" ", None, "name_required"), ("Late", date(2030, 1, 1), "dates_reversed")],
)
def test_a_class_needs_a_name_and_dates_in_order(
    class_world: ClassWorld, name: str, ends_on: date | None, code: str
) -> None:
    before = Classroom.objects.count()
    with pytest.raises(ClassRefused) as error:
        classroom_create(
            course=class_world.course,
            name=name,
            created_by=class_world.class_instructor,
            starts_on=date(2030, 2, 1),
            ends_on=ends_on,
        )
    assert refusal(error) == (code, 400)
    assert Classroom.objects.count() == before


def test_a_code_is_typed_in_any_case_with_dashes_and_spaces(class_world: ClassWorld) -> None:
    code = class_world.other_classroom.join_code
    typed = f" {code[:4].lower()}-{code[4:].lower()} "

    joined = classroom_join(user=class_world.class_learner, code=typed)

    assert joined == class_world.other_classroom
    assert Membership.objects.filter(
        classroom=class_world.other_classroom, user=class_world.class_learner
    ).exists()


def test_joining_twice_is_no_error_and_one_membership(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    assert classroom_join(user=class_world.class_learner, code=classroom.join_code) == classroom
    assert (
        Membership.objects.filter(classroom=classroom, user=class_world.class_learner).count() == 1
    )


def test_an_unknown_code_is_refused(class_world: ClassWorld) -> None:
    with pytest.raises(ClassRefused) as error:
        classroom_join(user=class_world.other_learner, code="ZZZZ-ZZZZ")
    assert refusal(error) == ("unknown_join_code", 404)


def test_a_closed_class_takes_nobody_new_but_keeps_its_learners(class_world: ClassWorld) -> None:
    classroom = joining_set(classroom=class_world.classroom, is_open=False)

    with pytest.raises(ClassRefused) as error:
        classroom_join(user=class_world.other_learner, code=classroom.join_code)
    assert refusal(error) == ("joining_closed", 403)
    assert not classroom.memberships.filter(user=class_world.other_learner).exists()
    # Someone already in it is still in it: their second join is no error.
    assert classroom_join(user=class_world.class_learner, code=classroom.join_code) == classroom


def test_an_instructor_cannot_join_their_own_class(class_world: ClassWorld) -> None:
    with pytest.raises(ClassRefused) as error:
        classroom_join(user=class_world.class_instructor, code=class_world.classroom.join_code)
    assert refusal(error) == ("instructor_cannot_join", 409)
    assert not Membership.objects.filter(user=class_world.class_instructor).exists()


def test_co_instructors_are_users_who_are_not_learners(class_world: ClassWorld) -> None:
    classroom = class_world.classroom

    assert instructor_add(classroom=classroom, username=" otto ") == class_world.other_instructor
    assert set(classroom.instructors.all()) == {
        class_world.class_instructor,
        class_world.other_instructor,
    }
    with pytest.raises(ClassRefused) as error:
        instructor_add(classroom=classroom, username="nobody")
    assert refusal(error) == ("unknown_user", 404)
    with pytest.raises(ClassRefused) as error:
        instructor_add(classroom=classroom, username="lea")
    assert refusal(error) == ("is_a_learner", 409)
    assert class_world.class_learner not in classroom.instructors.all()


def test_removing_a_learner(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    learner = class_world.class_learner

    learner_remove(classroom=classroom, user_id=learner.pk)

    assert not classroom.memberships.filter(user=learner).exists()
    assert User.objects.filter(pk=learner.pk).exists()
    with pytest.raises(ClassRefused) as error:
        learner_remove(classroom=classroom, user_id=learner.pk)
    assert refusal(error) == ("not_a_learner", 404)
    # Another class's learner is not this class's to remove.
    with pytest.raises(ClassRefused):
        learner_remove(classroom=classroom, user_id=class_world.other_learner.pk)
    assert class_world.other_classroom.memberships.filter(user=class_world.other_learner).exists()


def test_due_dates_an_exercise_wins_over_its_module_and_extensions_over_both(
    class_world: ClassWorld,
) -> None:
    classroom = class_world.classroom
    exercise = class_world.exercise
    lea = class_world.class_learner.pk

    deadline_set(classroom=classroom, due_at=JAN, module_slug="basics")
    dates = due_dates_get(classroom=classroom)
    assert dates.due_at(user_id=lea, exercise=exercise) == JAN

    deadline_set(classroom=classroom, due_at=JAN + timedelta(days=1), exercise_slug="demo-add")
    dates = due_dates_get(classroom=classroom)
    assert dates.due_at(user_id=lea, exercise=exercise) == JAN + timedelta(days=1)

    grant = partial(
        extension_grant, classroom=classroom, user_id=lea, granted_by=class_world.class_instructor
    )
    grant(due_at=JAN + timedelta(days=5), module_slug="basics")
    dates = due_dates_get(classroom=classroom)
    assert dates.due_at(user_id=lea, exercise=exercise) == JAN + timedelta(days=5)

    grant(due_at=JAN + timedelta(days=3), exercise_slug="demo-add")
    dates = due_dates_get(classroom=classroom)
    assert dates.due_at(user_id=lea, exercise=exercise) == JAN + timedelta(days=3)
    # The class's own date, and another learner's, are not moved by lea's extensions.
    assert dates.class_due_at(exercise=exercise) == JAN + timedelta(days=1)
    assert dates.due_at(user_id=class_world.other_learner.pk, exercise=exercise) == JAN + timedelta(
        days=1
    )

    due = learner_due_dates(user=class_world.class_learner, course=class_world.course)
    assert due[exercise.pk].due_at == JAN + timedelta(days=3)
    assert due[exercise.pk].extended
    assert due[exercise.pk].classroom == classroom
    # leo's class has no dates.
    assert learner_due_dates(user=class_world.other_learner, course=class_world.course) == {}


def test_clearing_due_dates_and_extensions(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    lea = class_world.class_learner.pk
    deadline_set(classroom=classroom, due_at=JAN, exercise_slug="demo-add")
    extension_grant(
        classroom=classroom,
        user_id=lea,
        due_at=JAN,
        granted_by=class_world.class_instructor,
        exercise_slug="demo-add",
    )

    assert deadline_set(classroom=classroom, due_at=None, exercise_slug="demo-add") is None
    assert (
        extension_grant(
            classroom=classroom,
            user_id=lea,
            due_at=None,
            granted_by=class_world.class_instructor,
            exercise_slug="demo-add",
        )
        is None
    )
    assert not Deadline.objects.filter(classroom=classroom).exists()
    assert not Extension.objects.filter(classroom=classroom).exists()


def test_due_dates_refuse_what_is_not_in_the_course_or_the_class(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    for target, code in [
        ({}, "one_target"),
        ({"module_slug": "basics", "exercise_slug": "demo-add"}, "one_target"),
        ({"exercise_slug": "other-add"}, "unknown_exercise"),
        ({"module_slug": "nope"}, "unknown_module"),
    ]:
        with pytest.raises(ClassRefused) as error:
            deadline_set(classroom=classroom, due_at=JAN, **target)
        assert error.value.code == code
    with pytest.raises(ClassRefused) as error:
        extension_grant(
            classroom=classroom,
            user_id=class_world.other_learner.pk,
            due_at=JAN,
            granted_by=class_world.class_instructor,
            exercise_slug="demo-add",
        )
    assert refusal(error) == ("not_a_learner", 404)
    assert not Deadline.objects.exists()
    assert not Extension.objects.exists()
