"""Try sessions: a learner's web app served in a sandbox of its own for a
minute or so, for requests the learner sends from the page (docs/sandbox.md,
"Try sessions").

The container is the same as for grading (no network, the same limits and
users), started fresh; its supervisor runs the job's "serve" mode instead of
tests. Each request travels as a message on the container's stdin, the test
runner sends it to the app over the socket tests use, and the answer comes
back as a signed RESPONSE record, with what the app printed as OUTPUT
records. Nothing here scores anything.
"""

import contextlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from sandboxes.engine import SandboxUnavailable
from sandboxes.harness import HarnessMode
from sandboxes.limits import SandboxLimits
from sandboxes.protocol import HostRecord, message_encode, signed_record
from sandboxes.runner import (
    ENGINE_ERRORS,
    START_SECONDS,
    SandboxFailure,
    _Attached,
    _FrameReader,
    _kill_quietly,
    _remove_quietly,
    _sandbox_start,
    docker_client,
    sandbox_profile,
)

logger = logging.getLogger(__name__)

# What a learner may send in one request.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
REQUEST_BODY_MAX = 64 * 1024
REQUEST_HEADERS_MAX = 30
# How long one request may take before the session gives up on it.
REQUEST_SECONDS = 10.0


class TrySessionEnded(Exception):
    """The session is over: its time is up, the app stopped, or it never started.
    The message says which, in words for the learner."""


@dataclass
class TryAnswer:
    """The app's answer to one request, or why there is none (`error`)."""

    status: int
    headers: list[tuple[str, str]]
    body: str
    truncated: bool
    error: str
    ms: int
    # What the app printed (and tracebacks it raised) since the previous request.
    output: str


@dataclass
class _Records:
    key: bytes
    next_seq: int = 1
    partial: bytes = b""
    output: list[str] = field(default_factory=list)

    def lines(self, data: bytes) -> list[dict[str, Any]]:
        """The signed records in `data`; SandboxFailure for a line that is not one."""
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        records = []
        for line in lines:
            if not line.strip():
                continue
            record = signed_record(self.key, line)
            if record is None or record.get("seq") != self.next_seq:
                raise SandboxFailure("a line that did not come from the harness reached the host")
            self.next_seq += 1
            records.append(record)
        return records


class TrySession:
    """One learner's app, served for `seconds` from its start; use as a context
    manager, or call close(). Raises SandboxUnavailable when Docker cannot be
    used, and TrySessionEnded when the app cannot be served at all."""

    def __init__(
        self,
        *,
        files: dict[str, str],
        harness: HarnessMode,
        limits: SandboxLimits,
        seconds: float,
    ) -> None:
        if harness.mode != "http":
            raise ValueError("a try session needs a web exercise (harness mode http)")
        self.client = docker_client()
        self.attached: _Attached = _sandbox_start(
            self.client, sandbox_profile(harness, limits), pooled=False
        )
        self.records = _Records(key=secrets.token_bytes(32))
        self.reader = _FrameReader(self.attached.sock)
        self.ends_at = time.monotonic() + START_SECONDS
        self.ended = ""
        self.next_id = 1
        try:
            self.attached.sock.sendall(
                message_encode(
                    {
                        "key": self.records.key.hex(),
                        "files": files,
                        "visible_tests": {},
                        "limits": limits.as_dict(),
                        "harness": {"mode": harness.mode, "app": harness.app},
                        "serve": {"seconds": seconds},
                    }
                )
            )
            self._until(lambda record: record.get("type") == HostRecord.PHASE_START)
            self.ends_at = time.monotonic() + seconds
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "TrySession":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def seconds_left(self) -> float:
        return max(0.0, self.ends_at - time.monotonic())

    def request(
        self, *, method: str, path: str, headers: list[tuple[str, str]], body: str
    ) -> TryAnswer:
        """Send one request to the app and wait for its answer."""
        if self.ended:
            raise TrySessionEnded(self.ended)
        request_id = self.next_id
        self.next_id += 1
        message = {
            "id": request_id,
            "method": method,
            "path": path,
            "headers": [list(pair) for pair in headers],
            "body": body,
        }
        try:
            self.attached.sock.sendall(message_encode({"request": message}))
        except OSError as error:
            self._end("The app's sandbox has stopped.")
            raise TrySessionEnded(self.ended) from error
        deadline = min(self.ends_at, time.monotonic() + REQUEST_SECONDS)
        answer = self._until(
            lambda record: (
                record.get("type") == HostRecord.RESPONSE and record.get("id") == request_id
            ),
            deadline=deadline,
        )
        output = "".join(self.records.output)
        self.records.output.clear()
        return TryAnswer(
            status=int(answer.get("status") or 0),
            headers=[(str(name), str(value)) for name, value in answer.get("headers", [])],
            body=str(answer.get("body", "")),
            truncated=bool(answer.get("truncated")),
            error=str(answer.get("error", "")),
            ms=int(answer.get("ms") or 0),
            output=output,
        )

    def output(self) -> str:
        """What the app printed since the last request (or the start), taken."""
        with_output = "".join(self.records.output)
        self.records.output.clear()
        return with_output

    def close(self) -> None:
        """End the session: the container is killed and removed."""
        if not self.ended:
            self.ended = "The session has ended."
        with contextlib.suppress(OSError):
            self.attached.sock.sendall(message_encode({"end": True}))
        self.attached.sock.close()
        try:
            _kill_quietly(self.client, self.attached.container_id)
        finally:
            _remove_quietly(self.client, self.attached.container_id)

    def _end(self, why: str) -> None:
        if not self.ended:
            self.ended = why

    def _until(self, wanted: Any, *, deadline: float | None = None) -> dict[str, Any]:
        """Read records until one is `wanted`; TrySessionEnded if the session ends first."""
        deadline = self.ends_at if deadline is None else deadline
        while True:
            try:
                frame = self.reader.frame(deadline)
            except TimeoutError:
                if time.monotonic() >= self.ends_at:
                    self._end("The session's time is up: start a new one to go on.")
                else:
                    self._end("The app did not answer in time (an infinite loop?).")
                raise TrySessionEnded(self.ended) from None
            except ENGINE_ERRORS as error:
                raise SandboxUnavailable(f"Lost the Docker engine: {error}") from error
            if frame is None:
                self._end("The app's sandbox has stopped.")
                raise TrySessionEnded(self.ended)
            stream, data = frame
            if stream != 1:
                continue  # the harness's own stderr: for the operator's log only
            for record in self.records.lines(data):
                kind = record.get("type")
                if kind == HostRecord.OUTPUT:
                    self.records.output.append(str(record.get("text", "")))
                elif kind in (HostRecord.SYNTAX_ERROR, HostRecord.COLLECT_ERROR):
                    self._end(
                        "Your app could not start: "
                        + str(record.get("message") or record.get("exception") or "")
                    )
                elif kind in (HostRecord.PHASE_END, HostRecord.FINISHED):
                    status = record.get("status")
                    self._end(
                        "Your app printed more than it may."
                        if status == "output_limit"
                        else "The session's time is up: start a new one to go on."
                        if status == "timeout"
                        else self.ended or "Your app stopped."
                    )
                    raise TrySessionEnded(self.ended)
                if wanted(record):
                    return record
