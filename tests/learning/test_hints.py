"""Hints: on the server until revealed, one at a time, only after a failed Submit."""

import html

import pytest
from django.contrib.auth.models import User
from django.test import Client

from grader.services import grade_submission, submission_create
from learning.models import ExerciseProgress
from lessons.models import Exercise
from tests.conftest import exercise_files
from tests.support.clients import logged_in

pytestmark = pytest.mark.django_db

URL = "/exercises/flask-hello-world/hints/"
LESSON = "/courses/python-backend/hello-flask/"
# A phrase of each of the Flask exercise's three hints.
HINT_PHRASES = [
    "so that Flask calls it for that path",
    "Flask turns it into a JSON response",
    "The whole view can be two lines",
]


def failed_once(user: User, exercise: Exercise, **fields: int) -> ExerciseProgress:
    return ExerciseProgress.objects.create(
        user=user, exercise=exercise, attempts=1, failed_attempts=1, max_score=6, **fields
    )


def test_the_shipped_exercise_has_the_hints_these_tests_expect(flask_exercise: Exercise) -> None:
    assert len(flask_exercise.hints) == len(HINT_PHRASES)
    for hint, phrase in zip(flask_exercise.hints, HINT_PHRASES, strict=True):
        assert phrase in hint


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_must_log_in(method: str, flask_exercise: Exercise) -> None:
    response = getattr(Client(), method)(URL)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_required"


def test_hints_are_locked_before_any_attempt(learner: User, flask_exercise: Exercise) -> None:
    response = logged_in(learner).post(URL)

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "hint_locked",
            "message": "Submit an attempt first; hints open after a failed one.",
        }
    }


def test_a_passing_first_attempt_does_not_unlock_hints(
    learner: User, flask_exercise: Exercise
) -> None:
    ExerciseProgress.objects.create(
        user=learner, exercise=flask_exercise, attempts=1, completed=True, best_score=6
    )

    assert logged_in(learner).post(URL).status_code == 403


def test_hints_are_revealed_one_at_a_time_then_409(learner: User, flask_exercise: Exercise) -> None:
    failed_once(learner, flask_exercise)
    client = logged_in(learner)

    state = client.get(URL).json()
    assert state == {"hints": [], "total": 3, "can_reveal": True}

    for count in (1, 2, 3):
        response = client.post(URL)
        assert response.status_code == 200
        body = response.json()
        assert len(body["hints"]) == count
        assert body["total"] == 3
        assert body["can_reveal"] is (count < 3)
        assert HINT_PHRASES[count - 1] in html.unescape(body["hints"][-1])
        assert body["hints"][-1].startswith("<p>")

    response = client.post(URL)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_more_hints"
    assert ExerciseProgress.objects.get().hints_revealed == 3


def test_hints_are_not_in_the_page_until_revealed(
    client: Client, learner: User, flask_exercise: Exercise
) -> None:
    for visitor in (client, logged_in(learner)):
        text = html.unescape(visitor.get(LESSON).text)
        for phrase in HINT_PHRASES:
            assert phrase not in text

    failed_once(learner, flask_exercise)
    me = logged_in(learner)
    me.post(URL)
    response = me.get(LESSON)

    widget = response.context["exercises"][0]
    assert len(widget.hints_revealed_html) == 1
    assert HINT_PHRASES[0] in html.unescape(widget.hints_revealed_html[0])
    assert (widget.hints_total, widget.can_reveal_hint) == (3, True)
    text = html.unescape(response.text)
    for phrase in HINT_PHRASES[1:]:
        assert phrase not in text


def test_one_learners_hints_are_their_own(
    learner: User, other_learner: User, flask_exercise: Exercise
) -> None:
    failed_once(learner, flask_exercise)
    logged_in(learner).post(URL)

    theirs = logged_in(other_learner)
    assert theirs.get(URL).json() == {"hints": [], "total": 3, "can_reveal": False}
    assert theirs.post(URL).status_code == 403
    widget = theirs.get(LESSON).context["exercises"][0]
    assert widget.hints_revealed_html == []
    assert ExerciseProgress.objects.get(user=learner).hints_revealed == 1


def test_revealing_needs_the_csrf_token(learner: User, flask_exercise: Exercise) -> None:
    failed_once(learner, flask_exercise)

    response = logged_in(learner, enforce_csrf_checks=True).post(URL)

    assert response.status_code == 403
    assert ExerciseProgress.objects.get().hints_revealed == 0


def test_fewer_hints_after_a_content_reload_are_clamped(
    learner: User, flask_exercise: Exercise
) -> None:
    failed_once(learner, flask_exercise, hints_revealed=3)
    Exercise.objects.filter(pk=flask_exercise.pk).update(hints=flask_exercise.hints[:1])

    client = logged_in(learner)
    state = client.get(URL).json()
    assert (len(state["hints"]), state["total"], state["can_reveal"]) == (1, 1, False)
    assert client.post(URL).status_code == 409


@pytest.mark.docker
@pytest.mark.django_db(transaction=True)
def test_a_really_failed_submit_unlocks_the_first_hint(
    learner: User, flask_exercise: Exercise
) -> None:
    client = logged_in(learner)
    assert client.post(URL).status_code == 403

    submission = submission_create(
        exercise=flask_exercise, files=exercise_files("starter"), user=learner
    )
    assert grade_submission(submission.id) is True

    response = client.post(URL)
    assert response.status_code == 200
    assert len(response.json()["hints"]) == 1
    widget = client.get(LESSON).context["exercises"][0]
    assert (widget.attempts, widget.completed, widget.status) == (1, False, "in_progress")


SOLUTION_URL = "/exercises/flask-hello-world/solution/"


def test_the_reference_solution_opens_only_after_a_pass(
    learner: User, other_learner: User, flask_exercise: Exercise
) -> None:
    me = logged_in(learner)
    page = me.get("/courses/python-backend/hello-flask/").text
    # Not in the page, and refused before a pass.
    assert 'data-role="show-solution" disabled' in page
    assert '<div data-role="solution-files"></div>' in page
    refused = me.get(SOLUTION_URL)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_passed"
    assert Client().get(SOLUTION_URL).status_code == 401

    ExerciseProgress.objects.create(
        user=learner, exercise=flask_exercise, attempts=1, best_score=6, completed=True
    )
    shown = me.get(SOLUTION_URL)

    assert shown.status_code == 200
    [file] = shown.json()["files"]
    assert file["name"] == "app.py"
    assert "hello" in file["html"] and "<span" in file["html"]  # highlighted
    assert (
        'data-role="show-solution" disabled'
        not in me.get("/courses/python-backend/hello-flask/").text
    )
    # Passing is the learner's own: another learner still waits.
    assert logged_in(other_learner).get(SOLUTION_URL).status_code == 403


def test_an_author_may_keep_the_solution_private(learner: User, flask_exercise: Exercise) -> None:
    Exercise.objects.filter(pk=flask_exercise.pk).update(solution_shown_after_pass=False)
    ExerciseProgress.objects.create(
        user=learner, exercise=flask_exercise, attempts=1, best_score=6, completed=True
    )
    me = logged_in(learner)

    refused = me.get(SOLUTION_URL)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "solution_private"
    assert 'data-role="show-solution"' not in me.get("/courses/python-backend/hello-flask/").text
