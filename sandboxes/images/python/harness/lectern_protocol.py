"""The sandbox's protocol, written down once: the harness imports this file
inside the container, and the host imports the same file
(sandboxes/protocol.py). Standard library only. docs/sandbox.md, "The
protocol", has the table.

Three framings:
- host → supervisor (its stdin): messages, each a decimal length, a newline,
  then that many bytes of JSON (`message_encode`). First the job, then, when
  the supervisor asks with an AWAITING_HIDDEN record, the hidden tests. A job
  with "serve" is a try session instead (no tests): the learner's web app is
  served, and the host sends {"request": {"id", "method", "path", "headers",
  "body"}} messages, each answered by a RESPONSE record, until {"end": true}
  or the session's time is up.
- supervisor → host (its stdout) and test runner → supervisor (a pipe):
  signed records, one per line, `<hex HMAC-SHA256 of the JSON> <JSON>`
  (`signed_line`, `signed_record`), numbered from 1 by `seq`. The host's key
  comes with the job; each phase's test runner gets a key of its own. A line
  that does not verify, or a number out of order, is a forgery.
- learner process → supervisor: unsigned JSON lines of LearnerEvent, which
  only add detail to what the test runner reports and decide nothing.
"""

import hashlib
import hmac
import json
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any


class HostRecord(StrEnum):
    """What the supervisor reports to the host."""

    READY = "ready"  # the job arrived: the wall-clock limit starts
    PHASE_START = "phase_start"
    TEST = "test"
    SYNTAX_ERROR = "syntax_error"
    COLLECT_ERROR = "collect_error"
    PHASE_END = "phase_end"
    AWAITING_HIDDEN = "awaiting_hidden"
    FINISHED = "finished"
    HARNESS_ERROR = "harness_error"
    # A try session's: a request's answer, and what the learner's app printed.
    RESPONSE = "response"
    OUTPUT = "output"


class RunnerRecord(StrEnum):
    """What the test runner's pytest session reports to the supervisor."""

    START = "start"  # a test begins; the runner waits for the supervisor's ack
    TEST = "test"
    COLLECT_ERROR = "collect_error"
    SESSION_END = "session_end"
    TAMPERED = "tampered"
    LEARNER_GONE = "learner_gone"
    HARNESS_ERROR = "harness_error"
    RESPONSE = "response"  # a try session's answer to one request


class LearnerEvent(StrEnum):
    """What the learner process tells the supervisor about the learner's code."""

    STARTUP_ERROR = "startup_error"  # the app could not be imported or served
    LEARNER_ERROR = "learner_error"  # a traceback raised in learner code


class Outcome(StrEnum):
    """A test's outcome, as pytest's own reports decide it."""

    PASS = "pass"  # noqa: S105 - a word, not a password
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"


def message_encode(content: dict[str, Any]) -> bytes:
    body = json.dumps(content).encode()
    return str(len(body)).encode() + b"\n" + body


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).hexdigest().encode()


def signed_line(key: bytes, record: dict[str, Any]) -> bytes:
    """One record as a signed line; `record` already carries its `seq`."""
    body = json.dumps(record).encode()
    return _mac(key, body) + b" " + body + b"\n"


def signed_record(key: bytes, line: bytes) -> dict[str, Any] | None:
    """The record of a signed line; None when its signature does not verify."""
    mac, _, body = line.strip().partition(b" ")
    if not hmac.compare_digest(mac, _mac(key, body)):
        return None
    record = json.loads(body)
    return record if isinstance(record, dict) else None


def file_path(name: str) -> PurePosixPath:
    """A file name of a job (a learner's file or a test) as a path below the
    folder it is written to; ValueError for one that would leave it."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise ValueError(f"refusing file name {name!r}")
    return path
