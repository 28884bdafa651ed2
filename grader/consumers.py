"""WebSocket /ws/submissions/<id>/?after=<seq>: the events of one submission.

Joins the submission's group first and reads the stored events second, so an
event committed in between arrives both ways and is dropped once by its seq;
nothing can fall between the two.
"""

import functools
import uuid
from typing import Any
from urllib.parse import parse_qs

from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from grader import selectors
from grader.metrics import websockets_active
from grader.submission_events import submission_group

# These reads need no thread of their own: run them in the loop's pool, so that
# hundreds of sockets connecting at once do not queue on one thread (Channels'
# default for database_sync_to_async).
in_any_thread = functools.partial(DatabaseSyncToAsync, thread_sensitive=False)

# Close codes in the private range 4000-4999 (RFC 6455), named after HTTP's.
# Closing before accept() refuses the handshake: Daphne answers HTTP 403 and a
# client never sees these codes (docs/api.md); they tell in-process tests why.
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


class SubmissionConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    last_seq = 0
    # Whether this socket is counted in the active WebSockets gauge (/metrics).
    counted = False

    async def connect(self) -> None:
        try:
            submission_id = uuid.UUID(str(self.scope["url_route"]["kwargs"]["submission_id"]))
        except ValueError:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        visible = await in_any_thread(selectors.submission_get_visible)(
            submission_id=submission_id, user=self.scope.get("user")
        )
        if visible is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.submission_id = submission_id
        after = _after(self.scope.get("query_string", b""))
        self.group = submission_group(submission_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.counted = True
        websockets_active.inc()
        catch_up = await in_any_thread(selectors.submission_catch_up)(
            submission_id=submission_id, after=after
        )
        if catch_up.finished:
            # Nothing more will come: a socket left open would wait forever.
            await self.close()
            return
        self.last_seq = catch_up.after
        for event in catch_up.events:
            await self._send_event(event)
        if catch_up.position:
            await self.send_json({"type": "position", "data": {"position": catch_up.position}})
        if not catch_up.grader["available"]:
            await self.send_json({"type": "grader", "data": catch_up.grader})

    async def disconnect(self, code: int) -> None:
        if self.counted:
            self.counted = False
            websockets_active.dec()
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Clients only listen; anything they send is ignored."""

    async def submission_event(self, message: dict[str, Any]) -> None:
        await self._send_event(message["event"])

    async def grader_status(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "grader", "data": message["status"]})

    async def submission_position(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "position", "data": {"position": message["position"]}})

    async def _send_event(self, event: dict[str, Any]) -> None:
        if event["seq"] <= self.last_seq:
            return
        self.last_seq = event["seq"]
        await self.send_json(event)
        if event["type"] == "completed":
            await self.close()


def _after(query_string: bytes) -> int:
    values = parse_qs(query_string.decode("latin-1")).get("after", ["0"])
    try:
        return max(int(values[0]), 0)
    except ValueError:
        return 0
