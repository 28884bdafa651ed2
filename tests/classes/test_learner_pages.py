"""What a learner sees of their class on the course's pages: due dates on the
outline, in the workspace and on the lesson's exercise, and a score their
instructor set by hand (docs/instructors.md)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classes.services import deadline_set, extension_grant, score_override_set
from learning.services import exercise_progress_record
from tests.support.classes import ClassWorld
from tests.support.clients import logged_in

pytestmark = pytest.mark.django_db

DUE = datetime(2030, 1, 15, 16, 0, tzinfo=UTC)
COURSE = reverse("learning:course", kwargs={"course_slug": "demo"})
LESSON = reverse("learning:lesson", kwargs={"course_slug": "demo", "lesson_slug": "first"})
WORKSPACE = reverse(
    "learning:exercise",
    kwargs={"course_slug": "demo", "lesson_slug": "first", "exercise_slug": "demo-add"},
)


def due_notes(client: Client, url: str) -> list[str]:
    """The text of each "Due …" note on the page."""
    text = client.get(url).text
    return [part.split("</span>")[0] for part in text.split('data-role="due">')[1:]]


def in_paris(client: Client) -> Client:
    client.cookies["lectern_tz"] = "Europe/Paris"
    return client


@pytest.fixture
def due(class_world: ClassWorld) -> ClassWorld:
    deadline_set(classroom=class_world.classroom, due_at=DUE, module_slug="basics")
    return class_world


@pytest.mark.parametrize("url", [COURSE, LESSON, WORKSPACE])
def test_a_learner_of_the_class_sees_its_due_date(due: ClassWorld, url: str) -> None:
    notes = due_notes(in_paris(logged_in(due.class_learner)), url)

    assert len(notes) == 1
    assert notes[0] == (
        'Due <time datetime="2030-01-15T17:00:00+01:00">2030-01-15 17:00 CET</time> (Autumn group)'
    )


@pytest.mark.parametrize("url", [COURSE, LESSON, WORKSPACE])
@pytest.mark.parametrize("name", ["other_learner", "class_instructor", "other_instructor"])
def test_nobody_else_sees_the_classs_due_date(due: ClassWorld, url: str, name: str) -> None:
    assert due_notes(logged_in(due.users[name]), url) == []


@pytest.mark.parametrize("url", [COURSE, LESSON, WORKSPACE])
def test_an_anonymous_visitor_sees_no_due_date(client: Client, due: ClassWorld, url: str) -> None:
    assert due_notes(client, url) == []


def test_another_classs_own_date_shows_to_its_learner_only(due: ClassWorld) -> None:
    deadline_set(
        classroom=due.other_classroom, due_at=DUE + timedelta(days=7), exercise_slug="demo-add"
    )

    leo = due_notes(logged_in(due.other_learner), COURSE)
    lea = due_notes(logged_in(due.class_learner), COURSE)

    assert len(leo) == 1 and "2030-01-22 16:00 UTC" in leo[0] and "(Evening group)" in leo[0]
    assert len(lea) == 1 and "2030-01-15 16:00 UTC" in lea[0] and "(Autumn group)" in lea[0]


def test_an_extension_is_marked_as_such(due: ClassWorld) -> None:
    extension_grant(
        classroom=due.classroom,
        user_id=due.class_learner.pk,
        due_at=DUE + timedelta(days=2),
        granted_by=due.class_instructor,
        exercise_slug="demo-add",
    )

    for url in (COURSE, WORKSPACE):
        (note,) = due_notes(logged_in(due.class_learner), url)
        assert "2030-01-17 16:00 UTC" in note
        assert note.endswith("(Autumn group), extended")


def test_a_passed_due_date_says_so(class_world: ClassWorld) -> None:
    deadline_set(
        classroom=class_world.classroom,
        due_at=timezone.now() - timedelta(hours=1),
        exercise_slug="demo-add",
    )

    text = logged_in(class_world.class_learner).get(WORKSPACE).text

    assert 'class="due due--past"' in text
    assert "(Autumn group): past due</span>" in text


def test_the_course_page_reads_the_due_dates_once(due: ClassWorld) -> None:
    client = logged_in(due.class_learner)
    client.get(COURSE)  # the session and the zone list, read once

    with CaptureQueriesContext(connection) as queries:
        assert client.get(COURSE).status_code == 200

    deadline_reads = [q for q in queries.captured_queries if '"classes_deadline"' in q["sql"]]
    assert len(deadline_reads) == 1
    assert len(queries.captured_queries) < 30


def test_the_workspace_shows_a_score_set_by_hand_beside_the_graded_one(
    class_world: ClassWorld,
) -> None:
    lea = class_world.class_learner
    exercise = class_world.exercise
    exercise_progress_record(
        user=lea,
        exercise=exercise,
        result={"gradable": True, "score": 2.0, "max_score": exercise.max_score},
    )
    assert exercise.max_score == 6
    for score, reason in [
        (3.0, "The grader timed out on a slow day."),
        (4.5, "Negative numbers handled in a comment."),
    ]:
        score_override_set(
            classroom=class_world.classroom,
            user_id=lea.pk,
            exercise=exercise,
            set_by=class_world.class_instructor,
            score=score,
            reason=reason,
        )

    text = logged_in(lea).get(WORKSPACE).text

    note = text.split('data-role="score-override">')[1].split("</div>")[0]
    assert (
        "Your instructor set your score to <strong>4.50/6</strong>: "
        "Negative numbers handled in a comment." in note
    )
    assert "In Autumn group" in note
    # The earlier one stays visible, and so does the graded best score.
    assert "3/6" in note and "The grader timed out on a slow day." in note
    assert 'data-role="record-best">2 of 6</span>' in text


@pytest.mark.parametrize("name", ["other_learner", "class_instructor"])
def test_a_score_set_for_lea_shows_to_nobody_else(class_world: ClassWorld, name: str) -> None:
    score_override_set(
        classroom=class_world.classroom,
        user_id=class_world.class_learner.pk,
        exercise=class_world.exercise,
        score=4,
        reason="Good work.",
        set_by=class_world.class_instructor,
    )

    assert (
        'data-role="score-override"' not in logged_in(class_world.users[name]).get(WORKSPACE).text
    )


def test_after_joining_the_course_page_says_so(class_world: ClassWorld) -> None:
    response = logged_in(class_world.other_learner).post(
        reverse("classes:join_code", kwargs={"code": class_world.classroom.join_code}), follow=True
    )

    assert response.redirect_chain[-1][0] == COURSE
    assert 'class="notice notice--success"' in response.text
    assert "You are in the class “Autumn group”" in response.text
