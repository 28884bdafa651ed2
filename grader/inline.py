"""The in-process grader (GRADER_BACKEND=inline, one machine): a bounded pool
of workers inside the web process.

The pool lives on the server's event loop; each grading runs in one of its
own threads through sync_to_async, so that the events a grading publishes go
through the loop that the WebSocket consumers listen on (the in-memory
channel layer is not thread-safe). For the same reason the sweep
(grader/periodic.py) runs here through the loop, not in a thread of its own
as in a Celery worker.

Live submissions are claimed before regrades (grader/regrades.py), and one
worker of the pool is kept for live ones.

A pool that was not woken (grader/dispatch.py) looks for queued work every
GRADER_POLL_SECONDS, and a pool that starts finds what a previous process
left queued or half-graded.
"""

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from grader import dispatch
from grader.periodic import sweep_jobs_run, sweep_run
from grader.services import (
    grader_status_set,
    sandbox_pool_prepare,
    submission_grade_next,
    worker_name,
)
from sandboxes.runner import SandboxUnavailable

logger = logging.getLogger(__name__)

# Seconds to wait before trying again when Docker cannot be used.
UNAVAILABLE_BACKOFF = 5.0


class InlineGraderPool:
    def __init__(self, *, workers: int, poll_seconds: float) -> None:
        self.workers = workers
        self.poll_seconds = poll_seconds
        self.loop: asyncio.AbstractEventLoop | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grader")
        # The sweep's own thread, so that it never waits for a free grading
        # thread; and one for the jobs other apps registered with it (the api
        # app's result callbacks), which wait on other people's servers.
        self.sweep_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sweep")
        self.jobs_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sweep-jobs")
        self.wakeup: asyncio.Event | None = None
        # Whether the last try met an unusable sandbox; saves a write per grading.
        self.unavailable = False

    @property
    def running(self) -> bool:
        return bool(self.tasks) and not all(task.done() for task in self.tasks)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the workers on `loop`; call from the loop's thread."""
        if self.running:
            return
        self.loop = loop
        self.wakeup = asyncio.Event()
        self.tasks = [
            loop.create_task(self._sandbox_pool_prepare()),
            loop.create_task(
                self._every(settings.GRADER_SWEEP_SECONDS, sweep_run, self.sweep_executor)
            ),
            loop.create_task(
                self._every(settings.CALLBACK_POLL_SECONDS, sweep_jobs_run, self.jobs_executor)
            ),
        ]
        self.tasks += [loop.create_task(self._work(index)) for index in range(self.workers)]
        dispatch.inline_wake_register(self.wake)
        logger.info("inline grader started with %d workers", self.workers)

    async def stop(self) -> None:
        dispatch.inline_wake_register(None)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []

    def wake(self) -> None:
        """Tell idle workers there is work; safe from any thread."""
        if self.loop is not None and self.wakeup is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.wakeup.set)

    def _in_thread(
        self, function: Callable[..., Any], executor: ThreadPoolExecutor | None = None
    ) -> Callable[..., Awaitable[Any]]:
        def with_fresh_connections(*args: Any, **kwargs: Any) -> Any:
            close_old_connections()
            try:
                return function(*args, **kwargs)
            finally:
                close_old_connections()

        return sync_to_async(
            with_fresh_connections, thread_sensitive=False, executor=executor or self.executor
        )

    async def _every(
        self, seconds: float, job: Callable[[], object], executor: ThreadPoolExecutor
    ) -> None:
        run = self._in_thread(job, executor=executor)
        while True:
            try:
                await run()
            except Exception:
                logger.exception("the periodic job %s failed", job.__name__)
            await asyncio.sleep(seconds)

    async def _sandbox_pool_prepare(self) -> None:
        try:
            await self._in_thread(sandbox_pool_prepare)()
        except Exception:
            # Without it the pool fills with what gradings claim.
            logger.exception("starting the sandbox pool failed")

    async def _work(self, index: int) -> None:
        worker = f"{worker_name()}:{index}"
        # The first worker of a pool of several never takes a regrade, so a
        # learner who submits during a regrade of hundreds waits for no one.
        live_only = index == 0 and self.workers > 1
        assert self.wakeup is not None
        while True:
            try:
                graded = await self._in_thread(submission_grade_next)(
                    worker=worker, live_only=live_only
                )
            except SandboxUnavailable as error:
                await self._in_thread(grader_status_set)(available=False, reason=str(error))
                self.unavailable = True
                await asyncio.sleep(UNAVAILABLE_BACKOFF)
                continue
            except Exception:
                logger.exception("grader worker %s failed", worker)
                await asyncio.sleep(1)
                continue
            if graded:
                if self.unavailable:
                    self.unavailable = False
                    await self._in_thread(grader_status_set)(available=True)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), timeout=self.poll_seconds)
            self.wakeup.clear()


_pool: InlineGraderPool | None = None


def inline_pool() -> InlineGraderPool:
    global _pool
    if _pool is None:
        _pool = InlineGraderPool(
            workers=settings.GRADER_WORKERS, poll_seconds=settings.GRADER_POLL_SECONDS
        )
    return _pool


ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


def grader_started_with_server(application: ASGIApp) -> ASGIApp:
    """Wrap the ASGI application so the inline pool runs in the server process.

    Under Daphne the pool starts as soon as the server's loop runs (so work a
    previous process left behind is picked up without waiting for a visitor);
    under any other server it starts with the first connection.
    """
    if settings.GRADER_BACKEND != "inline" or not settings.GRADER_INLINE_AUTOSTART:
        return application
    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is not None and hasattr(reactor, "_asyncioEventloop"):
        # Daphne runs the application on Twisted's asyncio reactor.
        loop = reactor._asyncioEventloop
        reactor.callWhenRunning(lambda: inline_pool().start(loop))

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        pool = inline_pool()
        if not pool.running:
            pool.start(asyncio.get_running_loop())
        await application(scope, receive, send)

    return app
