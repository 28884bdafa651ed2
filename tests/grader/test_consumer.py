"""The submission WebSocket, through the project's real ASGI application
(origin check, sessions, auth) with Channels' WebsocketCommunicator
(tests/websockets.py)."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import Client

from config.asgi import application
from grader.models import Submission
from grader.services import grader_status_set, submission_create
from lessons.models import Exercise
from tests.stored_events import append, passed
from tests.support.answers import FLASK_APP
from tests.websockets import Communicator

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1")


def session_cookie(user: User | None = None) -> bytes:
    client = Client()
    if user is not None:
        client.force_login(user)
    else:
        session = client.session
        session.save()
        client.cookies["sessionid"] = session.session_key or ""
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def connect(submission: Submission, cookie: bytes, after: int = 0) -> Communicator:
    return Communicator(
        application,
        f"/ws/submissions/{submission.id}/?after={after}",
        headers=[ORIGIN, (b"cookie", cookie)],
    )


@pytest.fixture
def submission(flask_exercise: Exercise, learner: User) -> Submission:
    return submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)


async def test_events_arrive_in_order_stored_then_live(
    submission: Submission, learner: User
) -> None:
    communicator = connect(submission, await database_sync_to_async(session_cookie)(learner))
    connected, _ = await communicator.connect()
    assert connected

    queued = await communicator.receive_json_from()
    assert (queued["seq"], queued["type"], queued["data"]) == (1, "queued", {"position": 1})
    assert await communicator.receive_json_from() == {"type": "position", "data": {"position": 1}}

    await append(submission, "started", {"tests": []})
    await append(submission, "test", passed("test_one"))
    await append(submission, "test", passed("test_two"))
    await append(submission, "completed", {"result": {"status": "pass"}})

    received = [await communicator.receive_json_from() for _ in range(4)]
    assert [(event["seq"], event["type"]) for event in received] == [
        (2, "started"),
        (3, "test"),
        (4, "test"),
        (5, "completed"),
    ]
    assert received[1]["data"]["name"] == "test_one"
    # The server closes the socket once the result is in.
    assert (await communicator.receive_output())["type"] == "websocket.close"


async def test_a_reconnecting_client_gets_every_event_it_missed(
    submission: Submission, learner: User
) -> None:
    cookie = await database_sync_to_async(session_cookie)(learner)
    first = connect(submission, cookie)
    await first.connect()
    assert (await first.receive_json_from())["seq"] == 1
    await first.disconnect()

    # Grading goes on while nobody listens.
    await append(submission, "started", {"tests": []})
    await append(submission, "test", passed("test_one"))

    second = connect(submission, cookie, after=1)
    connected, _ = await second.connect()
    assert connected
    replayed = [await second.receive_json_from() for _ in range(2)]
    assert [event["seq"] for event in replayed] == [2, 3]
    assert (await second.receive_json_from())["type"] == "position"

    await append(submission, "test", passed("test_two"))
    assert (await second.receive_json_from())["seq"] == 4
    await second.disconnect()


async def test_a_client_that_has_every_event_of_a_finished_submission_is_closed(
    submission: Submission, learner: User
) -> None:
    await append(submission, "completed", {"result": {"status": "pass"}})
    cookie = await database_sync_to_async(session_cookie)(learner)
    for after in (2, 99):
        communicator = connect(submission, cookie, after=after)
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_output())["type"] == "websocket.close"


async def test_a_seq_beyond_the_stored_ones_replays_from_the_last_and_misses_nothing(
    submission: Submission, learner: User
) -> None:
    cookie = await database_sync_to_async(session_cookie)(learner)
    communicator = connect(submission, cookie, after=99)
    await communicator.connect()
    assert (await communicator.receive_json_from())["type"] == "position"
    await append(submission, "started", {"tests": []})
    assert (await communicator.receive_json_from())["seq"] == 2
    await communicator.disconnect()


async def test_another_user_cannot_subscribe(submission: Submission, other_learner: User) -> None:
    communicator = connect(submission, await database_sync_to_async(session_cookie)(other_learner))
    connected, code = await communicator.connect()

    assert not connected
    assert code == 4403


async def test_an_anonymous_visitor_cannot_subscribe_to_a_learners_submission(
    submission: Submission,
) -> None:
    communicator = connect(submission, await database_sync_to_async(session_cookie)())
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_foreign_origin_is_refused(submission: Submission, learner: User) -> None:
    cookie = await database_sync_to_async(session_cookie)(learner)
    communicator = Communicator(
        application,
        f"/ws/submissions/{submission.id}/",
        headers=[(b"origin", b"http://evil.example"), (b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_an_unknown_submission_is_refused(learner: User) -> None:
    cookie = await database_sync_to_async(session_cookie)(learner)
    communicator = Communicator(
        application,
        "/ws/submissions/not-a-uuid/",
        headers=[ORIGIN, (b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_submission_claimed_while_the_grader_is_unavailable_hears_why(
    submission: Submission, learner: User
) -> None:
    # A worker that cannot reach its sandboxes claims the submission and gives it
    # back: whenever the client connects or the status changes, the submission may
    # be running for that moment, and must hear why it waits all the same.
    await database_sync_to_async(Submission.objects.filter(pk=submission.pk).update)(
        status=Submission.Status.RUNNING
    )
    await database_sync_to_async(grader_status_set)(available=False, reason="engine down")

    communicator = connect(submission, await database_sync_to_async(session_cookie)(learner))
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "queued"
    told = await communicator.receive_json_from()
    assert told["type"] == "grader" and told["data"]["available"] is False

    # And live, when the status changes while it is running.
    await database_sync_to_async(grader_status_set)(available=True)
    back = await communicator.receive_json_from()
    assert back == {"type": "grader", "data": {"available": True, "message": ""}}
    await communicator.disconnect()
