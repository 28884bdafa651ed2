"""The data the exercise widget gets: endpoints, limits and the visitor's standing."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from learning.exercise_widget import ExerciseWidget
from learning.models import ExerciseProgress
from lessons.models import Exercise

pytestmark = pytest.mark.django_db

LESSON = "/courses/python-backend/hello-flask/"


def widget(client: Client) -> ExerciseWidget:
    response = client.get(LESSON)
    assert response.status_code == 200
    found: ExerciseWidget = response.context["exercises"][0]
    return found


def test_an_anonymous_visitor_gets_ways_to_log_in(client: Client, flask_exercise: Exercise) -> None:
    shown = widget(client)

    assert shown.is_authenticated is False
    back = "next=%2Fcourses%2Fpython-backend%2Fhello-flask%2F%23exercise-flask-hello-world"
    assert shown.login_url == f"/accounts/login/?{back}"
    assert shown.signup_url == f"/accounts/signup/?{back}"
    assert (shown.attempts, shown.best_score, shown.completed) == (0, 0.0, False)
    assert (shown.status, shown.status_label) == ("not_started", "Not started")
    assert shown.hints_revealed_html == []
    assert shown.hints_total == 3
    assert shown.can_reveal_hint is False


@override_settings(SUBMISSION_MAX_FILES=7, SUBMISSION_MAX_BYTES=1234)
def test_a_learner_gets_the_endpoints_limits_and_standing(
    learner: User, flask_exercise: Exercise
) -> None:
    ExerciseProgress.objects.create(
        user=learner, exercise=flask_exercise, attempts=2, failed_attempts=2, best_score=4.0
    )
    client = Client()
    client.force_login(learner)

    shown = widget(client)

    assert shown.is_authenticated is True
    assert shown.draft_url == "/exercises/flask-hello-world/draft/"
    assert shown.hints_url == "/exercises/flask-hello-world/hints/"
    assert shown.history_url == "/exercises/flask-hello-world/history/"
    assert shown.submit_url == "/exercises/flask-hello-world/submissions/"
    assert shown.lesson_url == LESSON
    assert (shown.max_files, shown.max_bytes) == (7, 1234)
    assert shown.accepted_files == flask_exercise.accepted_files == ["app.py"]
    assert [file.name for file in shown.files] == ["app.py"]
    assert (shown.attempts, shown.best_score, shown.completed) == (2, 4.0, False)
    assert (shown.status, shown.status_label) == ("in_progress", "In progress")
    assert shown.can_reveal_hint is True
    assert not hasattr(shown, "hints_html")
