"""Try your API through the project's real ASGI application: Channels'
communicator on /ws/exercises/<slug>/try/, with the real sandbox behind it."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import override_settings

from config.asgi import application
from grader.models import Submission, TrySession
from grader.services import SubmissionInvalid, submission_create
from lessons.models import Exercise
from tests.grader.test_consumer import ORIGIN, session_cookie
from tests.sandboxes.test_try_sessions import ITEMS_APP
from tests.support.answers import FLASK_APP
from tests.websockets import Communicator

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

JSON_HEADER = [["Content-Type", "application/json"]]


async def opened(user: User | None, slug: str = "flask-hello-world") -> Communicator:
    cookie = await database_sync_to_async(session_cookie)(user)
    communicator = Communicator(
        application, f"/ws/exercises/{slug}/try/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    return communicator


async def started(learner: User, files: dict[str, str]) -> Communicator:
    communicator = await opened(learner)
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "start", "files": files})
    message = await communicator.receive_json_from(timeout=60)
    assert message["type"] == "started", message
    return communicator


async def request(communicator: Communicator, **fields: Any) -> Any:
    await communicator.send_json_to({"type": "request", "headers": [], "body": "", **fields})
    return await communicator.receive_json_from(timeout=60)


async def test_a_session_keeps_the_apps_state_and_says_what_it_printed(
    flask_exercise: Exercise, learner: User
) -> None:
    communicator = await started(learner, {"app.py": ITEMS_APP})

    created = await request(
        communicator, method="POST", path="/items", headers=JSON_HEADER, body='{"name": "pen"}'
    )
    listed = await request(communicator, method="get", path="/items")
    await communicator.send_json_to({"type": "end"})
    ended = await communicator.receive_json_from()
    await communicator.disconnect()

    assert (created["type"], created["status"], created["output"]) == ("answer", 201, "added pen\n")
    assert created["request"] == {
        "method": "POST",
        "path": "/items",
        "headers": JSON_HEADER,
        "body": '{"name": "pen"}',
    }
    assert (listed["status"], listed["body"].strip()) == (200, '{"items":["pen"]}')
    assert ended == {"type": "ended", "reason": "You ended the session."}
    session = await database_sync_to_async(TrySession.objects.get)(user=learner)
    assert (session.requests, session.ended_at is not None) == (2, True)
    # Nothing is graded: no submission, no attempt.
    assert not await database_sync_to_async(Submission.objects.exists)()


async def test_bad_requests_are_refused_with_a_code_and_the_session_goes_on(
    flask_exercise: Exercise, learner: User
) -> None:
    communicator = await started(learner, {"app.py": ITEMS_APP})

    for bad in (
        {"method": "BREW", "path": "/"},
        {"method": "GET", "path": "items"},
        {"method": "GET", "path": "/", "headers": [["X-A", "1\nX-B: 2"]]},
        {"method": "POST", "path": "/", "body": "x" * (64 * 1024 + 1)},
    ):
        refused = await request(communicator, **bad)
        assert (refused["type"], refused["code"]) == ("error", "invalid_request"), bad
    still = await request(communicator, method="GET", path="/items")
    await communicator.disconnect()

    assert still["status"] == 200


async def test_files_are_checked_like_a_submission(flask_exercise: Exercise, learner: User) -> None:
    communicator = await opened(learner)
    await communicator.connect()
    await communicator.send_json_to({"type": "start", "files": {"../x.py": "print(1)"}})
    refused = await communicator.receive_json_from()
    await communicator.disconnect()

    assert (refused["type"], refused["code"]) == ("error", "invalid_file_name")
    assert not await database_sync_to_async(TrySession.objects.exists)()


async def test_only_a_learner_and_only_a_web_exercise(
    flask_exercise: Exercise, learner: User
) -> None:
    anonymous = await opened(None)
    assert (await anonymous.connect())[0] is False
    function_exercise = await database_sync_to_async(
        lambda: Exercise.objects.filter(lesson__isnull=False).exclude(harness__mode="http").first()
    )()
    assert function_exercise is not None
    not_web = await opened(learner, function_exercise.slug)
    assert (await not_web.connect())[0] is False


async def test_a_second_session_ends_the_first(flask_exercise: Exercise, learner: User) -> None:
    first = await started(learner, {"app.py": ITEMS_APP})
    second = await started(learner, {"app.py": ITEMS_APP})

    ended = await request(first, method="GET", path="/items")
    answer = await request(second, method="GET", path="/items")
    await first.disconnect()
    await second.disconnect()

    assert ended["type"] == "ended" and "somewhere else" in ended["reason"]
    assert answer["status"] == 200


@override_settings(TRY_SESSION_SECONDS=1)
async def test_the_session_ends_when_its_time_is_up(
    flask_exercise: Exercise, learner: User
) -> None:
    communicator = await started(learner, {"app.py": ITEMS_APP})

    ended = await communicator.receive_json_from(timeout=60)
    await communicator.disconnect()

    assert ended == {
        "type": "ended",
        "reason": "The session's time is up: start a new one to go on.",
    }


@override_settings(SUBMISSIONS_ACTIVE_PER_USER=3)
async def test_a_session_counts_against_the_learners_limits(
    flask_exercise: Exercise, learner: User
) -> None:
    # Two submissions waiting and an open session: the learner's three at once.
    for _ in range(2):
        await database_sync_to_async(submission_create)(
            exercise=flask_exercise, files=FLASK_APP, user=learner
        )
    communicator = await started(learner, {"app.py": ITEMS_APP})

    with pytest.raises(SubmissionInvalid) as refused:
        await database_sync_to_async(submission_create)(
            exercise=flask_exercise, files=FLASK_APP, user=learner
        )
    await communicator.disconnect()

    assert refused.value.code == "too_many_active"
