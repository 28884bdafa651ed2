"""Following a submission as an API client: Server-Sent Events with replay from
Last-Event-ID, and the WebSocket authenticated with a token (no Origin needed)."""

import asyncio
import functools
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import AsyncClient

from accounts.services import NewApiToken, api_token_create, api_token_revoke
from api import live
from api import submissions as api_submissions
from config.asgi import application
from grader.models import Submission
from grader.services import submission_create
from lessons.models import Exercise
from tests.api.conftest import bearer
from tests.stored_events import append, passed
from tests.support.answers import FLASK_APP
from tests.websockets import TIMEOUT_SECONDS, Communicator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def submission(flask_exercise: Exercise, learner: User) -> Submission:
    return submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)


async def graded(submission: Submission) -> None:
    """The events of a finished grading: seq 1 queued (already there), then 2..5."""
    await append(submission, "started", {"mode": "submit", "tests": []})
    await append(submission, "test", passed("test_one"))
    await append(submission, "test", passed("test_two"))
    await append(submission, "completed", {"result": {"status": "pass"}})


def parse_sse(text: str) -> list[dict[str, str]]:
    events = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields[name] = value.lstrip(" ")
        if "event" in fields:
            events.append(fields)
    return events


async def read_stream(response: Any) -> str:
    return await EventStream(response).rest()


class EventStream:
    """An SSE response read as it arrives, so a test can act between its events."""

    def __init__(self, response: Any) -> None:
        self.chunks = aiter(response.streaming_content)
        self.text = ""

    async def _more(self) -> bool:
        try:
            chunk = await anext(self.chunks)
        except StopAsyncIteration:
            return False
        self.text += chunk.decode() if isinstance(chunk, bytes) else chunk
        return True

    async def until(self, kind: str) -> list[dict[str, str]]:
        """Every event up to the first of type `kind`."""
        async with asyncio.timeout(TIMEOUT_SECONDS):
            while not any(event["event"] == kind for event in parse_sse(self.text)):
                assert await self._more(), f"the stream ended before a {kind} event"
        return parse_sse(self.text)

    async def rest(self) -> str:
        """Everything, up to the end of the stream."""
        async with asyncio.timeout(TIMEOUT_SECONDS):
            while await self._more():
                pass
        return self.text


@pytest.fixture
def live_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Events reach the SSE stream through the channel layer only.

    The stream also reads the database after `poll_seconds` of silence, in case
    a live message was lost; that alone would deliver every event in time. Put
    it far beyond the test's deadline, so that a channel layer that delivers
    nothing fails the test instead of slowing it down.
    """
    never = functools.partial(live.submission_follow, poll_seconds=100 * TIMEOUT_SECONDS)
    monkeypatch.setattr(api_submissions, "submission_follow", never)


async def test_sse_replays_after_last_event_id_and_ends_after_completed(
    submission: Submission, learner_token: NewApiToken
) -> None:
    await graded(submission)
    client = AsyncClient()
    url = f"/api/v1/submissions/{submission.id}/events"

    everything = await client.get(url, headers=bearer(learner_token))
    assert everything.status_code == 200
    assert everything["Content-Type"].startswith("text/event-stream")
    events = parse_sse(await read_stream(everything))
    assert [(e["id"], e["event"]) for e in events] == [
        ("1", "queued"),
        ("2", "started"),
        ("3", "test"),
        ("4", "test"),
        ("5", "completed"),
    ]

    resumed = await client.get(url, headers={**bearer(learner_token), "Last-Event-ID": "3"})
    assert [e["id"] for e in parse_sse(await read_stream(resumed))] == ["4", "5"]
    by_query = await client.get(url + "?after=4", headers=bearer(learner_token))
    assert [e["id"] for e in parse_sse(await read_stream(by_query))] == ["5"]


async def test_sse_tells_a_client_that_has_every_event_to_stop_reconnecting(
    submission: Submission, learner_token: NewApiToken
) -> None:
    await graded(submission)
    client = AsyncClient()
    url = f"/api/v1/submissions/{submission.id}/events"

    # EventSource reconnects after the stream ends, sending the last id it saw.
    after_completed = await client.get(url, headers={**bearer(learner_token), "Last-Event-ID": "5"})
    beyond = await client.get(url + "?after=99", headers=bearer(learner_token))

    assert (after_completed.status_code, beyond.status_code) == (204, 204)
    # An id that is not a seq replays everything rather than failing.
    for odd in ("²", "9" * 5000, "-1"):
        replayed = await client.get(url, headers={**bearer(learner_token), "Last-Event-ID": odd})
        assert replayed.status_code == 200
        assert len(parse_sse(await read_stream(replayed))) == 5


async def test_sse_after_a_seq_not_stored_yet_still_sends_what_comes_next(
    submission: Submission, learner_token: NewApiToken, live_only: None
) -> None:
    response = await AsyncClient().get(
        f"/api/v1/submissions/{submission.id}/events?after=99", headers=bearer(learner_token)
    )
    stream = EventStream(response)
    # Nothing stored to replay after seq 1: the place in the queue, and it listens.
    assert [e["event"] for e in await stream.until("position")] == ["position"]

    await graded(submission)
    text = await stream.rest()

    assert [e["id"] for e in parse_sse(text) if e["event"] != "position"] == ["2", "3", "4", "5"]


async def test_sse_sends_live_events_as_they_are_stored(
    submission: Submission, learner_token: NewApiToken, live_only: None
) -> None:
    response = await AsyncClient().get(
        f"/api/v1/submissions/{submission.id}/events", headers=bearer(learner_token)
    )
    stream = EventStream(response)
    # The stored events, then the place in the queue: it has caught up and listens.
    assert [e["event"] for e in await stream.until("position")] == ["queued", "position"]

    # Stored only now, so they can only arrive live.
    await graded(submission)
    events = parse_sse(await stream.rest())

    assert [(e.get("id"), e["event"]) for e in events if "id" in e] == [
        ("1", "queued"),
        ("2", "started"),
        ("3", "test"),
        ("4", "test"),
        ("5", "completed"),
    ]


async def test_sse_of_someone_elses_submission_is_404(
    submission: Submission, other_learner: User
) -> None:
    other = await database_sync_to_async(api_token_create)(user=other_learner, name="x")
    response = await AsyncClient().get(
        f"/api/v1/submissions/{submission.id}/events", headers=bearer(other)
    )
    assert response.status_code == 404


def socket(submission: Submission, headers: list[tuple[bytes, bytes]]) -> Communicator:
    return Communicator(application, f"/ws/submissions/{submission.id}/", headers=headers)


async def test_the_websocket_takes_a_token_without_an_origin(
    submission: Submission, learner_token: NewApiToken
) -> None:
    communicator = socket(
        submission, [(b"authorization", f"Bearer {learner_token.raw_token}".encode())]
    )
    connected, _ = await communicator.connect()
    assert connected

    assert (await communicator.receive_json_from())["type"] == "queued"
    assert (await communicator.receive_json_from())["type"] == "position"
    await graded(submission)
    kinds = [(await communicator.receive_json_from())["type"] for _ in range(4)]
    assert kinds == ["started", "test", "test", "completed"]
    assert (await communicator.receive_output())["type"] == "websocket.close"


@pytest.mark.parametrize("case", ["unknown", "revoked", "other learner"])
async def test_the_websocket_refuses_a_bad_token_or_another_learner(
    submission: Submission, learner: User, other_learner: User, case: str
) -> None:
    if case == "unknown":
        raw = "lct_" + "x" * 40
    elif case == "revoked":
        made = await database_sync_to_async(api_token_create)(user=learner, name="x")
        await database_sync_to_async(api_token_revoke)(user=learner, token_id=made.token.pk)
        raw = made.raw_token
    else:
        raw = (
            await database_sync_to_async(api_token_create)(user=other_learner, name="x")
        ).raw_token
    communicator = socket(submission, [(b"authorization", f"Bearer {raw}".encode())])

    connected, code = await communicator.connect()

    assert not connected
    assert code in (4401, 4403)


async def test_without_a_token_the_origin_check_still_applies(submission: Submission) -> None:
    # No token and no Origin: the session stack refuses it, as before.
    connected, _ = await socket(submission, []).connect()
    assert not connected
