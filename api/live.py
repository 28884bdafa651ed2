"""A submission's events as they happen, for the API's async views (Server-Sent
Events, ?wait=N): the stored events first, then live ones from the channel layer,
in order and without repeats, up to the final `completed` event.

Like the WebSocket consumer it joins the submission's group before it reads the
stored events, so nothing can fall between the two; repeats are dropped by seq.
It also reads the database every `poll_seconds` while nothing arrives, so a
live message lost on the way (the layer is best effort) only delays an event.
"""

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator
from typing import Any

from channels.db import DatabaseSyncToAsync
from channels.layers import get_channel_layer

from grader import selectors
from grader.submission_events import events_after, submission_group

# Reads need no thread of their own (see grader.consumers).
in_any_thread = functools.partial(DatabaseSyncToAsync, thread_sensitive=False)

# Yielded when nothing happened for a while: an SSE view sends a comment to keep
# proxies from closing the connection.
IDLE: dict[str, Any] = {"type": "idle"}


async def submission_follow(
    *, submission_id: uuid.UUID, after: int, poll_seconds: float = 5.0
) -> AsyncIterator[dict[str, Any]]:
    """Stored events with seq > after, then live ones; ends after `completed`.

    Also yields live-only messages without a seq ({"type": "position"},
    {"type": "grader"}) and IDLE after `poll_seconds` of silence.
    """
    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()
    group = submission_group(submission_id)
    await layer.group_add(group, channel)
    last = after
    try:
        catch_up = await in_any_thread(selectors.submission_catch_up)(
            submission_id=submission_id, after=after
        )
        for event in catch_up.events:
            last = event["seq"]
            yield event
            if event["type"] == "completed":
                return
        if catch_up.position:
            yield {"type": "position", "data": {"position": catch_up.position}}
            if not catch_up.grader["available"]:
                yield {"type": "grader", "data": catch_up.grader}
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=poll_seconds)
            except TimeoutError:
                missed = await in_any_thread(events_after)(submission_id=submission_id, after=last)
                for event in missed:
                    last = event["seq"]
                    yield event
                    if event["type"] == "completed":
                        return
                yield IDLE
                continue
            kind = message.get("type")
            if kind == "submission.event":
                event = message["event"]
                if event["seq"] <= last:
                    continue
                if event["seq"] > last + 1:
                    # Something in between went missing: the database has it.
                    missed = await in_any_thread(events_after)(
                        submission_id=submission_id, after=last
                    )
                else:
                    missed = [event]
                for stored in missed:
                    last = stored["seq"]
                    yield stored
                    if stored["type"] == "completed":
                        return
            elif kind == "submission.position":
                yield {"type": "position", "data": {"position": message["position"]}}
            elif kind == "grader.status":
                yield {"type": "grader", "data": message["status"]}
    finally:
        await layer.group_discard(group, channel)


async def submission_wait_final(*, submission_id: uuid.UUID, seconds: float) -> bool:
    """Wait up to `seconds` for the submission to be final; True if it is."""
    if seconds <= 0:
        return False
    try:
        async with asyncio.timeout(seconds):
            async for event in submission_follow(
                submission_id=submission_id, after=0, poll_seconds=1.0
            ):
                if event.get("type") == "completed":
                    return True
    except TimeoutError:
        pass
    return False
