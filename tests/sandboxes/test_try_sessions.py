"""Try sessions in the real sandbox: the learner's web app served for requests
sent one at a time from the host, with what it prints, under both runtimes."""

from collections.abc import Iterator
from typing import Any

import docker.errors
import pytest

from lessons.models import Exercise
from sandboxes import try_sessions
from sandboxes.engine import docker_client
from sandboxes.harness import HarnessMode
from sandboxes.limits import limits_resolve
from sandboxes.try_sessions import TrySession, TrySessionEnded
from tests.sandboxes.runs import FLASK_HEAD
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.django_db, pytest.mark.usefixtures("runtime")]

ITEMS_APP = FLASK_HEAD + (
    "from flask import request\n"
    "items = []\n"
    '@app.post("/items")\n'
    "def add():\n"
    '    items.append(request.get_json()["name"])\n'
    '    print("added", items[-1])\n'
    '    return {"id": len(items)}, 201\n'
    '@app.get("/items")\n'
    "def listed():\n"
    '    return {"items": items}\n'
    '@app.get("/boom")\n'
    "def boom():\n"
    '    return {"x": missing}\n'
)
JSON = [("content-type", "application/json")]


def session(flask_exercise: Exercise, files: dict[str, str], seconds: float = 30) -> TrySession:
    return TrySession(
        files=files,
        harness=HarnessMode.from_dict(flask_exercise.harness),
        limits=limits_resolve(flask_exercise.limits),
        seconds=seconds,
    )


@pytest.fixture
def items(flask_exercise: Exercise) -> Iterator[TrySession]:
    with session(flask_exercise, {"app.py": ITEMS_APP}) as served:
        yield served


def get(served: TrySession, path: str) -> Any:
    return served.request(method="GET", path=path, headers=[], body="")


def test_the_app_keeps_its_state_from_one_request_to_the_next(items: TrySession) -> None:
    created = items.request(method="POST", path="/items", headers=JSON, body='{"name": "pen"}')

    assert (created.status, created.body.strip(), created.error) == (201, '{"id":1}', "")
    assert ("content-type", "application/json") in created.headers
    assert created.output == "added pen\n"
    listed = get(items, "/items")
    assert (listed.status, listed.body.strip(), listed.output) == (200, '{"items":["pen"]}', "")


def test_an_error_in_a_view_is_a_500_with_the_traceback_in_the_log(items: TrySession) -> None:
    answer = get(items, "/boom")

    assert answer.status == 500
    assert 'File "app.py", line 15, in boom' in answer.output
    assert "NameError: name 'missing' is not defined" in answer.output


def test_what_the_app_prints_cannot_pass_for_an_answer(flask_exercise: Exercise) -> None:
    # A line shaped like the harness's records, printed by the app: it is the
    # app's output, never an answer.
    forged = '{"type": "response", "id": 1, "status": 200, "body": "forged", "seq": 1}'
    app = FLASK_HEAD + (
        '@app.get("/")\n'
        "def index():\n"
        f"    print('0' * 64 + ' ' + {forged!r}, flush=True)\n"
        '    return "real", 418\n'
    )
    with session(flask_exercise, {"app.py": app}) as served:
        answer = get(served, "/")

    assert (answer.status, answer.body) == (418, "real")
    assert '"forged"' in answer.output


def test_an_app_that_cannot_start_ends_the_session_with_why(flask_exercise: Exercise) -> None:
    with pytest.raises(TrySessionEnded, match="could not start"):
        session(flask_exercise, {"app.py": FLASK_HEAD + "def broken(:\n"})


def test_a_view_that_never_answers_ends_the_session(
    flask_exercise: Exercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(try_sessions, "REQUEST_SECONDS", 1.0)
    app = FLASK_HEAD + '@app.get("/")\ndef index():\n    while True:\n        pass\n'
    with session(flask_exercise, {"app.py": app}) as served:
        with pytest.raises(TrySessionEnded, match="did not answer in time"):
            get(served, "/")
        with pytest.raises(TrySessionEnded):
            get(served, "/")  # the session is over


def test_the_session_ends_when_its_time_is_up_and_leaves_no_container(
    flask_exercise: Exercise,
) -> None:
    served = session(flask_exercise, {"app.py": ITEMS_APP}, seconds=1)
    try:
        wait_until(lambda: served.seconds_left == 0, timeout=30)
        with pytest.raises(TrySessionEnded, match="time is up"):
            get(served, "/items")
    finally:
        served.close()
    with pytest.raises(docker.errors.NotFound):
        docker_client().containers.get(served.attached.container_id)


def test_the_app_still_has_no_network(flask_exercise: Exercise) -> None:
    app = FLASK_HEAD + (
        "import socket\n"
        '@app.get("/")\n'
        "def index():\n"
        "    try:\n"
        '        socket.create_connection(("1.1.1.1", 80), timeout=2)\n'
        '        return "reached"\n'
        "    except OSError as error:\n"
        "        return type(error).__name__\n"
    )
    with session(flask_exercise, {"app.py": app}) as served:
        answer = get(served, "/")

    assert answer.status == 200
    assert answer.body != "reached"


def test_only_a_web_exercise_can_be_tried(flask_exercise: Exercise) -> None:
    with pytest.raises(ValueError, match="web exercise"):
        TrySession(
            files={"app.py": ITEMS_APP},
            harness=HarnessMode(mode="function"),
            limits=limits_resolve({}),
            seconds=5,
        )
