"""The whole path once for real: Daphne on a free port with the inline grader,
a submission posted over HTTP, the events read with a real WebSocket client."""

import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from grader.models import Submission
from grader.services import submission_create
from lessons.models import Exercise
from tests.conftest import exercise_files
from tests.live_server import Site, daphne_server, live_database_url

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def test_submit_over_http_and_follow_over_a_real_websocket(
    site: Site, flask_exercise: Exercise, learner: User
) -> None:
    site.log_in_as(learner)
    lesson_page = site.get("/courses/python-backend/hello-flask/")
    assert "Hello, World in Flask" in lesson_page

    status, created = site.post_json(
        f"/exercises/{flask_exercise.slug}/submissions/", {"files": exercise_files("solution")}
    )
    assert status == 202
    messages = site.events(created["id"])

    stored = [message for message in messages if "seq" in message]
    assert [message["seq"] for message in stored] == list(range(1, len(stored) + 1))
    assert stored[0]["type"] == "queued"
    assert stored[1]["type"] == "started"
    tests = [message["data"] for message in stored if message["type"] == "test"]
    assert [test["name"] for test in tests] == [test["name"] for test in flask_exercise.tests]
    assert all(test["status"] == "pass" for test in tests)
    final = stored[-1]
    assert final["type"] == "completed"
    assert final["data"]["result"]["score"] == flask_exercise.max_score

    # A client that connects again later is sent the whole history...
    assert [message for message in site.events(created["id"]) if "seq" in message] == stored
    # ...and one that saw the first three events gets only the rest.
    assert [message["seq"] for message in site.events(created["id"], after=3)] == [
        message["seq"] for message in stored[3:]
    ]


def test_the_server_grades_what_was_queued_before_it_started(
    flask_exercise: Exercise, learner: User, tmp_path: Path
) -> None:
    waiting = submission_create(
        exercise=flask_exercise, files=exercise_files("solution"), user=learner
    )
    # Nothing asks the server for anything before the result appears.
    with daphne_server(database_url=live_database_url(), log_dir=tmp_path):
        for _ in range(300):
            waiting.refresh_from_db()
            if waiting.status == Submission.Status.COMPLETED:
                break
            time.sleep(0.1)
    assert waiting.status == Submission.Status.COMPLETED
    assert waiting.result_status == "pass"
