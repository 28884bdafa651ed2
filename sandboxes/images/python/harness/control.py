"""The control socket between the supervisor and each of its two helpers.

Messages are JSON, each a 4-byte length and the body; file descriptors travel
as SCM_RIGHTS with the first bytes of their message, and the message says how
many it carries. Either side may send at any time; a request carries an
"id" and its reply a "reply_to" with that id. The learner process's side is
untrusted: nothing it sends may do more than end its own phase.
"""

import contextlib
import json
import os
import select
import socket
import struct
import time
from collections.abc import Sequence
from typing import Any

MESSAGE_MAX = 64 * 1024 * 1024
FDS_MAX = 8


class Control:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.closed = False
        self.next_id = 1
        self.fds: list[int] = []

    def fileno(self) -> int:
        return self.sock.fileno()

    # --- sending ---------------------------------------------------------------

    def send(
        self, message: dict[str, Any], *, fds: Sequence[int] = (), timeout: float | None = None
    ) -> None:
        """Raises OSError (TimeoutError included) when the other side does not take it."""
        body = json.dumps({**message, "fds": len(fds)}).encode()
        data = struct.pack(">I", len(body)) + body
        self.sock.settimeout(timeout)
        try:
            sent = socket.send_fds(self.sock, [data[:4096]], list(fds)) if fds else 0
            self.sock.sendall(data[sent:])
        finally:
            self.sock.settimeout(None)

    def request(self, message: dict[str, Any], *, timeout: float) -> dict[str, Any] | None:
        """Send and wait for the reply; None if none comes in time. Messages
        that are not the reply are dropped: a request ends a phase."""
        request_id = self.next_id
        self.next_id += 1
        deadline = time.monotonic() + timeout
        try:
            self.send({**message, "id": request_id}, timeout=timeout)
        except OSError:
            return None
        while not self.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.sock], [], [], remaining)
            if not ready:
                return None
            for reply, fds in self.receive_ready():
                close_all(fds)
                if reply.get("reply_to") == request_id:
                    return reply
        return None

    def reply(self, request: dict[str, Any], **content: Any) -> None:
        self.send({**content, "reply_to": request.get("id")})

    # --- receiving -------------------------------------------------------------

    def receive(self) -> tuple[dict[str, Any], list[int]] | None:
        """The next message and its descriptors, blocking; None at end of stream."""
        while True:
            parsed = self._parse()
            if parsed is not None:
                return parsed
            if not self._read():
                return None

    def receive_ready(self) -> list[tuple[dict[str, Any], list[int]]]:
        """Messages that can be read now without waiting."""
        messages = []
        self.sock.setblocking(False)
        try:
            while True:
                try:
                    if not self._read():
                        break
                except BlockingIOError:
                    break
        finally:
            self.sock.setblocking(True)
        while (parsed := self._parse()) is not None:
            messages.append(parsed)
        return messages

    def _read(self) -> bool:
        # Always with room for descriptors: they arrive with the first bytes of
        # their message, and a plain recv() would silently drop them.
        try:
            data, fds, _, _ = socket.recv_fds(self.sock, 65536, FDS_MAX)
        except ConnectionResetError:
            # The other end died with our messages still unread (learner code
            # that killed its own process, say): an end of stream like any other.
            data, fds = b"", []
        self.fds.extend(fds)
        if not data:
            self.closed = True
            return False
        self.buffer += data
        return True

    def _parse(self) -> tuple[dict[str, Any], list[int]] | None:
        if len(self.buffer) < 4:
            return None
        (size,) = struct.unpack(">I", self.buffer[:4])
        if size > MESSAGE_MAX:
            raise ValueError(f"control message of {size} bytes")
        if len(self.buffer) < 4 + size:
            return None
        body, self.buffer = self.buffer[4 : 4 + size], self.buffer[4 + size :]
        message = json.loads(body)
        if not isinstance(message, dict):
            raise ValueError("control message is not an object")
        count = message.get("fds", 0)
        count = count if isinstance(count, int) and 0 <= count <= FDS_MAX else 0
        fds, self.fds = self.fds[:count], self.fds[count:]
        return message, fds


def close_all(fds: Sequence[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
