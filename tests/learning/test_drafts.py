"""The draft endpoint: a learner's code saved as they type, restored on return,
never visible to or changeable by anyone else."""

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from learning.models import Draft
from lessons.models import Exercise
from tests.support.answers import FLASK_APP

pytestmark = pytest.mark.django_db

URL = "/exercises/flask-hello-world/draft/"


def put(client: Client, body: Any, url: str = URL, **extra: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.put(url, data=data, content_type="application/json", **extra)


@pytest.fixture
def me(learner: User) -> Client:
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def them(other_learner: User) -> Client:
    client = Client()
    client.force_login(other_learner)
    return client


def test_no_draft_yet_is_not_an_error(me: Client, flask_exercise: Exercise) -> None:
    # A first visit is the usual case: no 404 in the browser's console for it.
    response = me.get(URL)

    assert response.status_code == 204
    assert response.content == b""


def test_a_saved_draft_is_restored(me: Client, learner: User, flask_exercise: Exercise) -> None:
    saved = put(me, {"files": FLASK_APP})

    assert saved.status_code == 200
    draft = Draft.objects.get()
    assert draft.user == learner
    assert saved.json() == {"updated_at": draft.updated_at.isoformat()}

    restored = me.get(URL)
    assert restored.status_code == 200
    assert restored.json() == {"files": FLASK_APP, "updated_at": draft.updated_at.isoformat()}
    assert "no-cache" in restored["Cache-Control"]


def test_saving_again_replaces_the_draft(me: Client, flask_exercise: Exercise) -> None:
    put(me, {"files": FLASK_APP})
    put(me, {"files": {"app.py": ""}})  # an emptied file is a valid draft

    assert Draft.objects.count() == 1
    assert me.get(URL).json()["files"] == {"app.py": ""}


def test_deleting_the_draft(me: Client, flask_exercise: Exercise) -> None:
    put(me, {"files": FLASK_APP})

    assert me.delete(URL).status_code == 204
    assert me.get(URL).status_code == 204  # no draft any more
    assert me.delete(URL).status_code == 204  # nothing to delete is fine


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "invalid_json"),
        ({"code": "x"}, 400, "invalid_json"),
        ({"files": ["app.py"]}, 400, "invalid_files"),
        ({"files": {"app.py": 3}}, 400, "invalid_files"),
        ({"files": {"../app.py": "x"}}, 400, "invalid_file_name"),
        ({"files": {"other.py": "x"}}, 400, "invalid_file_name"),
        ({"files": {f"f{i}.py": "" for i in range(21)}}, 400, "too_many_files"),
        ({"files": {"app.py": "x" * 300_000}}, 413, "submission_too_large"),
        ('{"files": {"app.py": "\\ud800"}}', 400, "undecodable_file"),
    ],
)
def test_bad_drafts_are_refused_with_the_submission_codes(
    me: Client, flask_exercise: Exercise, body: Any, status: int, code: str
) -> None:
    response = put(me, body)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert Draft.objects.count() == 0


def test_unknown_exercise(me: Client, flask_exercise: Exercise) -> None:
    response = me.get("/exercises/nope/draft/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_exercise"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_anonymous_visitors_must_log_in(method: str, flask_exercise: Exercise) -> None:
    client = Client()
    # PUT carries a body; GET and DELETE do not.
    response = (
        put(client, {"files": FLASK_APP}) if method == "put" else getattr(client, method)(URL)
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_required"
    assert Draft.objects.count() == 0


def test_a_learner_never_sees_or_changes_another_learners_draft(
    me: Client, them: Client, learner: User, other_learner: User, flask_exercise: Exercise
) -> None:
    put(me, {"files": FLASK_APP})

    # The other learner reads and writes only their own draft: the URL names no learner.
    assert them.get(URL).status_code == 204
    put(them, {"files": {"app.py": "# theirs\n"}})
    them.delete(URL)

    assert me.get(URL).json()["files"] == FLASK_APP
    assert Draft.objects.get(user=learner).files == FLASK_APP
    assert not Draft.objects.filter(user=other_learner).exists()


def test_saving_needs_the_csrf_token(learner: User, flask_exercise: Exercise) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    refused = put(client, {"files": FLASK_APP})
    assert refused.status_code == 403
    assert Draft.objects.count() == 0
    assert client.delete(URL).status_code == 403

    # The lesson page sets the token cookie; the widget sends it back in X-CSRFToken.
    client.get("/courses/python-backend/hello-flask/")
    token = client.cookies["csrftoken"].value
    assert put(client, {"files": FLASK_APP}, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_files_the_exercise_no_longer_accepts_are_not_restored(
    me: Client, learner: User, flask_exercise: Exercise
) -> None:
    Draft.objects.create(
        user=learner, exercise=flask_exercise, files={**FLASK_APP, "removed.py": "old"}
    )

    assert me.get(URL).json()["files"] == FLASK_APP
