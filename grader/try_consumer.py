"""WebSocket /ws/exercises/<slug>/try/: "Try your API" (grader/try_sessions.py).

The page sends {"type": "start", "files": {...}}, then {"type": "request",
"method", "path", "headers": [[name, value]], "body"} one at a time, and
{"type": "end"}; it hears "started" {seconds}, an "answer" per request (with
what the app printed meanwhile), "error" {code, message} for a request it
must fix, and "ended" {reason} once the session is over. The session lives
as long as this socket, and never longer than TRY_SESSION_SECONDS.
"""

import asyncio
import contextlib
from typing import Any

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import User

from grader import try_sessions
from grader.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, in_any_thread
from grader.services import SubmissionInvalid
from sandboxes.engine import SandboxUnavailable
from sandboxes.try_sessions import TrySession as SandboxSession
from sandboxes.try_sessions import TrySessionEnded

# The sandbox's calls block for up to a request's time: off the event loop.
in_a_thread = sync_to_async(thread_sensitive=False)


class TryConsumer(AsyncJsonWebsocketConsumer):
    sandbox: SandboxSession | None = None
    session_id: Any = None
    timer: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not (isinstance(user, User) and user.is_authenticated):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        slug = str(self.scope["url_route"]["kwargs"]["exercise_slug"])
        try:
            self.exercise = await in_any_thread(try_sessions.try_exercise_get)(slug=slug)
        except SubmissionInvalid:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user = user
        self.lock = asyncio.Lock()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self._end("")

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        async with self.lock:
            if kind == "start":
                await self._start(content.get("files"))
            elif kind == "request":
                await self._request(content)
            elif kind == "end":
                await self._end("You ended the session.")
            else:
                await self._error("invalid_message", 'Send {"type": "start"|"request"|"end"}.')

    async def _start(self, files: object) -> None:
        await self._end("")
        try:
            session, clean = await in_any_thread(try_sessions.try_session_open)(
                user=self.user, exercise=self.exercise, files=files
            )
        except SubmissionInvalid as error:
            await self._error(error.code, error.message)
            return
        self.session_id = session.pk
        try:
            self.sandbox = await in_a_thread(try_sessions.try_sandbox_start)(
                session=session, files=clean
            )
        except (TrySessionEnded, SandboxUnavailable) as error:
            await in_any_thread(try_sessions.try_session_close)(session_id=session.pk)
            await self.send_json({"type": "ended", "reason": str(error)})
            return
        await self.send_json(
            {
                "type": "started",
                "seconds": settings.TRY_SESSION_SECONDS,
                "output": self.sandbox.output(),
            }
        )
        self.timer = asyncio.ensure_future(self._end_in(settings.TRY_SESSION_SECONDS))

    async def _request(self, content: dict[str, Any]) -> None:
        if self.sandbox is None:
            await self._error("no_session", "Start a session first.")
            return
        try:
            request = try_sessions.try_request_check(content)
        except SubmissionInvalid as error:
            await self._error(error.code, error.message)
            return
        if not await in_any_thread(try_sessions.try_session_current)(session_id=self.session_id):
            await self._end("You started a session somewhere else, which ended this one.")
            return
        try:
            answer = await in_a_thread(self.sandbox.request)(
                method=request.method, path=request.path, headers=request.headers, body=request.body
            )
        except (TrySessionEnded, SandboxUnavailable) as error:
            await self._end(str(error))
            return
        except OSError:
            # The socket closed under the request: the session is being ended.
            await self._end("The app's sandbox has stopped.")
            return
        await in_any_thread(try_sessions.try_request_counted)(session_id=self.session_id)
        await self.send_json(try_sessions.try_answer_json(request, answer))

    async def _end_in(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        async with self.lock:
            await self._end("The session's time is up: start a new one to go on.")

    async def _end(self, reason: str) -> None:
        """Stop the app and its sandbox; say why, unless the socket is gone."""
        timer, self.timer = self.timer, None
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is not None:
            await in_a_thread(sandbox.close)()
        if self.session_id is not None:
            await in_any_thread(try_sessions.try_session_close)(session_id=self.session_id)
            self.session_id = None
            if reason:
                with contextlib.suppress(Exception):
                    await self.send_json({"type": "ended", "reason": reason})

    async def _error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})
