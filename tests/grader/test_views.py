"""The JSON endpoints the exercise widget uses."""

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from grader.models import Submission
from grader.vocabulary import VERDICT_MEANINGS, Verdict, verdict_words
from lessons.models import Exercise
from tests.support.answers import FLASK_APP

pytestmark = pytest.mark.django_db


def post(client: Client, slug: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        f"/exercises/{slug}/submissions/", data=data, content_type="application/json", **extra
    )


@pytest.fixture
def client(client: Client, learner: User) -> Client:
    """A logged-in learner's browser: only learners submit."""
    client.force_login(learner)
    return client


def test_posting_files_queues_a_submission(
    client: Client, learner: User, flask_exercise: Exercise
) -> None:
    response = post(client, flask_exercise.slug, {"files": FLASK_APP})

    assert response.status_code == 202
    body = response.json()
    submission = Submission.objects.get()
    assert body == {
        "id": str(submission.id),
        "status": "queued",
        "mode": "submit",
        "position": 1,
        "status_url": f"/submissions/{submission.id}/",
        "events_url": f"/ws/submissions/{submission.id}/",
        "cancel_url": f"/submissions/{submission.id}/cancel/",
    }
    assert submission.user == learner
    assert submission.mode == Submission.Mode.SUBMIT


def test_run_mode_is_stored(client: Client, flask_exercise: Exercise) -> None:
    response = post(client, flask_exercise.slug, {"files": FLASK_APP, "mode": "run"})

    assert response.status_code == 202
    assert Submission.objects.get().mode == Submission.Mode.RUN


def test_anonymous_visitors_must_log_in_to_submit(flask_exercise: Exercise) -> None:
    response = post(Client(), flask_exercise.slug, {"files": FLASK_APP})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_required"
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "invalid_json"),
        ({"code": "x"}, 400, "invalid_json"),
        ({"files": {}}, 400, "empty_submission"),
        ({"files": {"../x.py": "x"}}, 400, "invalid_file_name"),
        ({"files": {"app.py": "x" * 300_000}}, 413, "submission_too_large"),
        ({"files": FLASK_APP, "mode": "debug"}, 400, "invalid_mode"),
    ],
)
def test_bad_requests_get_a_machine_readable_error(
    client: Client, flask_exercise: Exercise, body: Any, status: int, code: str
) -> None:
    response = post(client, flask_exercise.slug, body)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert Submission.objects.count() == 0


def test_unknown_exercise_is_a_404(client: Client, flask_exercise: Exercise) -> None:
    response = post(client, "no-such-exercise", {"files": FLASK_APP})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_exercise"


def test_posting_needs_the_csrf_token(flask_exercise: Exercise, learner: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert post(client, flask_exercise.slug, {"files": FLASK_APP}).status_code == 403

    client.get(f"/courses/{flask_exercise.course.slug}/{flask_exercise.lesson.slug}/")  # type: ignore[union-attr]
    token = client.cookies["csrftoken"].value
    response = post(client, flask_exercise.slug, {"files": FLASK_APP}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 202


def test_only_the_owner_can_poll_a_submission(
    client: Client, other_learner: User, flask_exercise: Exercise
) -> None:
    submission_id = post(client, flask_exercise.slug, {"files": FLASK_APP}).json()["id"]

    response = client.get(f"/submissions/{submission_id}/")
    assert response.status_code == 200
    document = response.json()
    assert document["status"] == "queued"
    assert document["position"] == 1
    assert [event["type"] for event in document["events"]] == ["queued"]

    other = Client()
    other.force_login(other_learner)
    assert other.get(f"/submissions/{submission_id}/").status_code == 404
    assert Client().get(f"/submissions/{submission_id}/").status_code == 404


def test_over_the_limit_is_a_429_with_retry_after(
    client: Client, flask_exercise: Exercise, settings: Any
) -> None:
    settings.SUBMISSIONS_ACTIVE_PER_USER = 1
    assert post(client, flask_exercise.slug, {"files": FLASK_APP}).status_code == 202

    response = post(client, flask_exercise.slug, {"files": FLASK_APP})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_active"
    assert response.headers["Retry-After"] == "5"


def test_an_exercise_no_lesson_lists_takes_no_submission_or_draft(
    client: Client, flask_exercise: Exercise
) -> None:
    # A content reload took it out of every lesson: its history stays, new work is refused,
    # as the API refuses it (tests/api/test_submissions.py).
    Exercise.objects.filter(pk=flask_exercise.pk).update(lesson=None)
    refusals = [
        post(client, flask_exercise.slug, {"files": FLASK_APP}),
        client.put(
            f"/exercises/{flask_exercise.slug}/draft/",
            data=json.dumps({"files": FLASK_APP}),
            content_type="application/json",
        ),
    ]

    assert [r.status_code for r in refusals] == [404, 404]
    assert {r.json()["error"]["code"] for r in refusals} == {"unknown_exercise"}
    assert not Submission.objects.exists()


def test_the_exercise_page_reads_the_words_of_a_result_from_the_vocabulary(
    client: Client, flask_exercise: Exercise
) -> None:
    page = client.get("/courses/python-backend/hello-flask/").content.decode()

    found = re.search(
        r'<script id="lectern-verdict-words" type="application/json">(.*?)</script>', page
    )
    assert found is not None
    words = json.loads(found.group(1))
    assert words == verdict_words()
    assert set(words["verdicts"]) == {str(verdict) for verdict in Verdict}
    # The page's script keeps no copy of its own.
    sources = sorted((settings.BASE_DIR / "frontend" / "exercise").glob("*.js"))
    assert sources
    script = "".join(source.read_text() for source in sources)
    assert VERDICT_MEANINGS[Verdict.TAMPERED] not in script


def test_the_latest_submission_is_there_to_show_again_after_a_reload(
    client: Client, other_learner: User, flask_exercise: Exercise
) -> None:
    url = f"/exercises/{flask_exercise.slug}/submissions/latest/"
    # None yet: not an error in the browser's console.
    assert client.get(url).status_code == 204

    post(client, flask_exercise.slug, {"files": FLASK_APP, "mode": "run"})
    newest = post(client, flask_exercise.slug, {"files": FLASK_APP}).json()
    latest = client.get(url).json()

    assert latest["id"] == newest["id"]
    assert (latest["status"], latest["mode"], latest["result"]) == ("queued", "submit", None)
    assert latest["events_url"] == newest["events_url"]
    assert latest["cancel_url"] == newest["cancel_url"]
    # Someone else's work is never another learner's latest, nor a visitor's.
    them = Client()
    them.force_login(other_learner)
    assert them.get(url).status_code == 204
    assert Client().get(url).status_code == 204
    assert client.get("/exercises/no-such-exercise/submissions/latest/").status_code == 404


def test_the_widget_cancels_a_queued_submission_of_its_learner_only(
    client: Client, other_learner: User, flask_exercise: Exercise
) -> None:
    accepted = post(client, flask_exercise.slug, {"files": FLASK_APP}).json()
    them = Client(enforce_csrf_checks=False)
    them.force_login(other_learner)

    refused = them.post(accepted["cancel_url"], data="{}", content_type="application/json")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert Client().post(accepted["cancel_url"]).status_code == 401

    cancelled = client.post(accepted["cancel_url"], data="{}", content_type="application/json")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    result = cancelled.json()["result"]
    assert result["verdict"] == "cancelled" and result["gradable"] is False
    assert not any(test["ran"] for test in result["tests"])
    again = client.post(accepted["cancel_url"], data="{}", content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_cancellable"
