"""Channels' WebsocketCommunicator with timeouts a slow machine cannot miss.

Channels waits 1 s by default on connect, on every receive and on disconnect.
That is plenty on an idle laptop, but not on a loaded CI machine, nor in the
scaled run, where every message goes through PostgreSQL and Redis. A timeout
here only bounds how long a broken test takes to fail: a passing one never
waits it out, so it can be generous.

`receive_nothing` keeps its short default. It can only err one way: a message
that comes late, on a slow machine, is missed and the check passes. So it may
not be what shows that something is never sent: where the server sends a
message next, or closes the socket, wait for that and look at what came first.
"""

from typing import Any

from channels.testing import WebsocketCommunicator

TIMEOUT_SECONDS = 30.0


class Communicator(WebsocketCommunicator):
    async def connect(self, timeout: float = TIMEOUT_SECONDS) -> tuple[bool, Any]:
        return await super().connect(timeout)

    async def receive_output(self, timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
        return await super().receive_output(timeout)

    async def receive_from(self, timeout: float = TIMEOUT_SECONDS) -> str | bytes:
        return await super().receive_from(timeout)

    async def receive_json_from(self, timeout: float = TIMEOUT_SECONDS) -> Any:
        return await super().receive_json_from(timeout)

    async def disconnect(self, code: int = 1000, timeout: float = TIMEOUT_SECONDS) -> None:
        await super().disconnect(code, timeout)
