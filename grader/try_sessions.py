"""Try your API: a learner's current code served in a sandbox of its own, for
requests the learner sends from the page (docs/grading.md, "Try your API").

The WebSocket consumer (grader/try_consumer.py) holds the session, so every
request of one session reaches the process that holds its container, however
many web processes there are; this module is what it asks. Nothing is graded.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grader.models import TrySession
from grader.services import SubmissionInvalid, learner_limits_check, submission_files_validate
from lessons.models import Exercise
from lessons.selectors import exercise_offered_get
from sandboxes.harness import HarnessMode
from sandboxes.limits import limits_resolve
from sandboxes.try_sessions import (
    METHODS,
    REQUEST_BODY_MAX,
    REQUEST_HEADERS_MAX,
    TryAnswer,
)
from sandboxes.try_sessions import TrySession as SandboxSession

PATH_MAX = 2000


@dataclass(frozen=True)
class TryRequest:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: str

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "headers": [list(pair) for pair in self.headers],
            "body": self.body,
        }


def try_exercise_get(*, slug: str) -> Exercise:
    """The exercise to try: one a lesson offers, and a web exercise."""
    exercise = exercise_offered_get(slug=slug)
    if exercise is None:
        raise SubmissionInvalid(
            "unknown_exercise", f"There is no exercise called {slug!r}.", status=404
        )
    if not exercise.is_web:
        raise SubmissionInvalid(
            "not_a_web_exercise",
            "Only a web exercise can be tried from the page: this one's tests call your "
            "functions directly. Use Run instead.",
        )
    return exercise


def try_session_open(
    *, user: User, exercise: Exercise, files: object
) -> tuple[TrySession, dict[str, str]]:
    """Check the learner's files and limits and record the session; the learner's
    other open session ends (one at a time). The session and the checked files;
    raises SubmissionInvalid."""
    clean = submission_files_validate(exercise=exercise, files=files)
    learner_limits_check(user=user, locked=False)
    with transaction.atomic():
        learner_limits_check(user=user)
        TrySession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())
        return TrySession.objects.create(user=user, exercise=exercise), clean


def try_sandbox_start(*, session: TrySession, files: dict[str, str]) -> SandboxSession:
    """Start the learner's app for the session (blocking, about a second)."""
    exercise = session.exercise
    return SandboxSession(
        files=files,
        harness=HarnessMode.from_dict(exercise.harness),
        limits=limits_resolve(exercise.limits),
        seconds=settings.TRY_SESSION_SECONDS,
    )


def try_request_check(content: object) -> TryRequest:
    """One request from the page; SubmissionInvalid("invalid_request") saying what to fix."""

    def refuse(message: str, field: str) -> SubmissionInvalid:
        return SubmissionInvalid("invalid_request", message, fields={field: message})

    if not isinstance(content, dict):
        raise refuse("Send the request as an object.", "request")
    method = str(content.get("method", "")).upper()
    if method not in METHODS:
        raise refuse(f"The method must be one of {', '.join(METHODS)}.", "method")
    path = content.get("path")
    if not isinstance(path, str) or not path.startswith("/") or len(path) > PATH_MAX:
        raise refuse(
            f"The path must start with / (like /items?page=2), at most {PATH_MAX} characters.",
            "path",
        )
    headers = content.get("headers", [])
    if (
        not isinstance(headers, list)
        or len(headers) > REQUEST_HEADERS_MAX
        or not all(
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) and "\n" not in part for part in pair)
            and pair[0].strip()
            for pair in headers
        )
    ):
        raise refuse(
            f"Headers are lines of 'Name: value', at most {REQUEST_HEADERS_MAX}.", "headers"
        )
    body = content.get("body", "")
    if not isinstance(body, str) or len(body.encode()) > REQUEST_BODY_MAX:
        raise refuse(f"The body is text of at most {REQUEST_BODY_MAX // 1024} KiB.", "body")
    return TryRequest(
        method=method,
        path=path,
        headers=[(name.strip(), value.strip()) for name, value in headers],
        body=body,
    )


def try_session_current(*, session_id: uuid.UUID) -> bool:
    """False once the session was ended (by the learner opening another)."""
    return TrySession.objects.filter(pk=session_id, ended_at__isnull=True).exists()


def try_request_counted(*, session_id: uuid.UUID) -> None:
    TrySession.objects.filter(pk=session_id).update(requests=F("requests") + 1)


def try_session_close(*, session_id: uuid.UUID) -> None:
    TrySession.objects.filter(pk=session_id, ended_at__isnull=True).update(ended_at=timezone.now())


def try_answer_json(request: TryRequest, answer: TryAnswer) -> dict[str, Any]:
    """What the page shows of one exchange."""
    return {
        "type": "answer",
        "request": request.as_json(),
        "status": answer.status,
        "headers": [list(pair) for pair in answer.headers],
        "body": answer.body,
        "truncated": answer.truncated,
        "error": answer.error,
        "ms": answer.ms,
        "output": answer.output,
    }
