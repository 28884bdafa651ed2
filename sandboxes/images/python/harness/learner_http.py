"""Serve the learner's web application to the exercise's tests (the learner process).

The tests talk to the app over real HTTP, as a browser would, so the app must be
served by a real server rather than called through a framework's test client:
WSGI apps by waitress, ASGI apps by uvicorn. Both run in this one process and
serve from threads (waitress) or one event loop (uvicorn): no worker forks, no
arbiter, no process that outlives the learner process. Each is imported when
it is first needed; the learner process imports the one the exercise needs ahead
(sandboxes/harness.py chooses it from the reference solution's framework when
the content is loaded), so that serving costs only
the server's start, not its import. Measured from a fork of a process that
has imported everything to the first response: about 30 ms for a Flask hello
world through serve_app (its import included), 22 ms for a bare WSGI function,
15 ms for a bare ASGI one, of which 8 ms are the fork and the client themselves
(an answer written by hand on the socket). gunicorn, whose arbiter forks a worker
and installs signal handlers, took 55 ms for the same Flask app.

The listening socket is made by the supervisor (an abstract AF_UNIX address) and
handed over already listening: the servers only accept on it.

Learner errors are reported through `report_error`, once each:
- an exception that escapes the app is caught by a thin WSGI/ASGI wrapper, reported
  and raised again, so the server still answers 500; Starlette and FastAPI answer
  500 themselves and then raise to the server, and that exception is logged and
  not raised further (see asgi_wrapper);
- an exception the framework catches itself and turns into a 500 is seen in the
  log record the framework writes for it (Flask's "Exception on /x [GET]", Django's
  "django.request"): any record at ERROR or above that carries an exception.
  Those records are caught by a log record factory rather than a handler on the
  root logger, because a root handler changes logging for the learner: it turns
  `logging.basicConfig()` into a no-op, disables Python's last-resort output to
  stderr and stops Flask from adding its own handler. A factory sees every record
  a logger emits, whatever handlers are configured, and changes nothing.
The servers' own log records are not reported: an exception they log has either
already gone through the wrapper or is theirs (a client that hung up), and the
same exception is never reported twice.
"""

import contextlib
import importlib
import inspect
import logging
import os
import socket
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from lectern_protocol import LearnerEvent

STARTUP_FAILED = 3
TRACEBACK_MAX = 4000
MESSAGE_MAX = 1000
# Enough for a test's concurrent requests; more only wait in waitress's queue.
WSGI_THREADS = 4
SERVER_LOGGERS = ("waitress", "uvicorn")
# What the tests' client is (127.0.0.1) and names (http://testserver), given to the
# app where a Unix socket has no address: code that reads the client's address
# (request.remote_addr, request.client.host) works as it does in a test client.
CLIENT = ("127.0.0.1", 0)
SERVER = ("testserver", 80)

ReportError = Callable[[dict[str, Any]], None]


def app_load(spec: str) -> Any:
    """The object named by 'module:attr' (attr may be dotted), imported from the cwd."""
    module_name, separator, attribute = spec.partition(":")
    if not separator or not module_name or not attribute:
        raise ValueError(f"the app must be named as 'module:attribute', not {spec!r}")
    app: Any = importlib.import_module(module_name)
    for name in attribute.split("."):
        app = getattr(app, name)
    return app


def app_kind(app: Any) -> str:
    """'asgi' or 'wsgi', decided as uvicorn's --interface auto does it: an ASGI app is
    a coroutine function (or an object whose __call__ is one) of (scope, receive,
    send), a WSGI app a plain callable of (environ, start_response). Django's
    ASGIHandler has an async __call__, its WSGIHandler a plain one; Flask apps are
    WSGI, FastAPI and Starlette apps ASGI."""
    if inspect.isclass(app):
        raise TypeError(f"{app.__name__} is a class: name an application, not its class")
    if not callable(app):
        raise TypeError(f"{type(app).__name__} object is not a WSGI or ASGI application")
    call = app if inspect.isroutine(app) else type(app).__call__
    if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app):
        return "asgi"
    try:
        parameters = inspect.signature(app).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature
        return "wsgi"
    positional = [
        p
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    if len(positional) == 3:  # a plain function that returns a coroutine
        return "asgi"
    if len(positional) == 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return "wsgi"
    raise TypeError(
        f"{getattr(app, '__name__', type(app).__name__)} takes {len(positional)} "
        "arguments: a WSGI app takes (environ, start_response), an ASGI app "
        "(scope, receive, send)"
    )


def serve_app(*, spec: str, listener: socket.socket, report_error: ReportError) -> NoReturn:
    """Load the app and serve it on `listener` until the process is stopped.

    An error while importing or starting the app is reported as a startup_error
    and the process exits with status 3; an error while handling a request is
    reported as a learner_error and the client gets a 500."""
    for stream in (sys.stdout, sys.stderr):
        # The learner's prints reach the pipe as they are made, not at exit.
        with contextlib.suppress(Exception):
            stream.reconfigure(line_buffering=True, write_through=True)  # type: ignore[union-attr]
    reporter = Reporter(report_error, Path.cwd())
    capture_logged_errors(reporter)
    try:
        app = app_load(spec)
        kind = app_kind(app)
        allow_test_host()
    except BaseException as error:  # sys.exit() at import time is a startup error too
        reporter.report(LearnerEvent.STARTUP_ERROR, error)
        exit_now(STARTUP_FAILED)
    if kind == "wsgi":
        serve_wsgi(app, listener, reporter)
    else:
        serve_asgi(app, listener, reporter)
    exit_now(0)


class Reporter:
    """Describes errors for `report_error`, each exception once."""

    def __init__(self, report_error: ReportError, root: Path) -> None:
        self.report_error = report_error
        self.root = root
        # Reentrant: report_error may itself log an error, which comes back here.
        self.lock = threading.RLock()
        self.recent: deque[BaseException] = deque(maxlen=64)

    def report(self, kind: str, error: BaseException) -> None:
        with self.lock:
            if any(seen is error for seen in self.recent):
                return
            self.recent.append(error)
            try:
                self.report_error(describe(kind, error, self.root))
            except Exception:
                # A failing report must not change how the learner's app answers.
                traceback.print_exc()


def describe(kind: str, error: BaseException, root: Path) -> dict[str, Any]:
    """The record for one error: the learner's frames only, innermost last, each
    named by its path in the learner's directory, as the learner knows it."""
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        name = learner_file(frame.filename, root)
        if name:
            frame.filename = name
            frames.append(frame)
    location = None
    if frames:
        location = {"file": frames[-1].filename, "line": frames[-1].lineno}
    if isinstance(error, SyntaxError) and error.filename and learner_file(error.filename, root):
        location = {"file": learner_file(error.filename, root), "line": error.lineno or 1}
    try:
        detail = str(error)
    except Exception:
        detail = "<exception str() failed>"
    message = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return {
        "type": kind,
        "exception": type(error).__name__,
        "message": message[:MESSAGE_MAX],
        "location": location,
        "traceback": format_traceback(frames, error),
    }


def learner_file(filename: str, root: Path) -> str | None:
    """`filename` relative to the learner's directory, or None if it is not in it."""
    if filename.startswith("<"):  # <frozen importlib._bootstrap>, <string>
        return None
    path = Path(os.path.abspath(root / filename))
    return str(path.relative_to(root)) if path.is_relative_to(root) else None


def format_traceback(frames: list[traceback.FrameSummary], error: BaseException) -> str:
    """A traceback of at most TRACEBACK_MAX characters; the outermost frames go first."""
    tail = "".join(traceback.format_exception_only(type(error), error))[: TRACEBACK_MAX // 2]
    lines = traceback.format_list(frames)
    omitted = False
    while lines and sum(map(len, lines)) + len(tail) > TRACEBACK_MAX - 100:
        lines.pop(0)
        omitted = True
    head = "Traceback (most recent call last):\n" if frames else ""
    return (head + ("  …\n" if omitted else "") + "".join(lines) + tail)[:TRACEBACK_MAX]


def capture_logged_errors(reporter: Reporter) -> None:
    """Report the exception of every log record at ERROR or above (see the docstring
    of this module for why a record factory and not a handler)."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if (
            record.levelno >= logging.ERROR
            and record.exc_info
            and record.exc_info[1] is not None
            and not any(record.name == n or record.name.startswith(n + ".") for n in SERVER_LOGGERS)
        ):
            reporter.report(LearnerEvent.LEARNER_ERROR, record.exc_info[1])
        return record

    logging.setLogRecordFactory(factory)


def allow_test_host() -> None:
    """Let a Django project answer the tests' Host (testserver) as Django's own test
    client makes it do (django.test.utils.setup_test_environment): without it,
    every request would get a 400 for a host not in ALLOWED_HOSTS."""
    if "django.conf" not in sys.modules:
        return
    from django.conf import settings

    if settings.configured and "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def flush_output() -> None:
    """A request's prints reach the pipe before its response is complete."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def exit_now(status: int) -> NoReturn:
    flush_output()
    os._exit(status)


def serve_wsgi(app: Any, listener: socket.socket, reporter: Reporter) -> None:
    import waitress.server  # type: ignore[import-untyped]

    # Not waitress.serve(), which prints "Serving on ..." to stdout.
    server = waitress.server.create_server(
        wsgi_wrapper(app, reporter),
        sockets=[listener],
        threads=WSGI_THREADS,
        # Pass X-Forwarded-* on to the app, as gunicorn does: deciding whom to
        # believe (werkzeug's ProxyFix, Django's settings) is the app's part.
        clear_untrusted_proxy_headers=False,
    )
    # "Task queue depth is N" when a test sends more concurrent requests than threads.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server.run()


def wsgi_wrapper(app: Any, reporter: Reporter) -> Callable[..., Iterable[bytes]]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("SERVER_PORT", "").isdigit():  # waitress on a Unix socket
            environ["REMOTE_ADDR"] = environ["REMOTE_HOST"] = CLIENT[0]
            environ["REMOTE_PORT"] = str(CLIENT[1])
            environ["SERVER_NAME"], environ["SERVER_PORT"] = SERVER[0], str(SERVER[1])
        head = HeadAnswer(start_response) if environ.get("REQUEST_METHOD") == "HEAD" else None
        try:
            body = app(environ, head.start_response if head else start_response)
        except BaseException as error:
            reporter.report(LearnerEvent.LEARNER_ERROR, error)
            if not isinstance(error, Exception):
                # SystemExit and its kind would end waitress's thread without an answer.
                raise RuntimeError(f"the app raised {type(error).__name__}") from error
            raise
        flush_output()
        # waitress sets Content-Length for a body of one chunk, which it knows by len().
        answer = (SizedWsgiBody if hasattr(body, "__len__") else WsgiBody)(body, reporter)
        return head.without_body(answer) if head else answer

    return wrapped


class HeadAnswer:
    """The answer to a HEAD request: the app's answer as to a GET, sent without
    its body. WSGI leaves dropping the body to the app or the server; Django
    leaves it to the server, and waitress sends it, where gunicorn would not.
    On a kept-alive connection those bytes would be read as the next answer."""

    def __init__(self, start_response: Callable[..., Any]) -> None:
        self.send_start = start_response
        self.started: tuple[str, list[tuple[str, str]], Any] | None = None

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        self.started = (status, list(headers), exc_info)
        return lambda data: None  # the write() callable: the body is not sent

    def without_body(self, body: "WsgiBody") -> list[bytes]:
        length = 0
        try:
            for chunk in body:
                length += len(chunk)
        finally:
            body.close()
        if self.started is None:
            raise RuntimeError("the app answered without calling start_response")
        status, headers, exc_info = self.started
        if not any(name.lower() == "content-length" for name, _ in headers):
            # What a GET would have been told.
            headers.append(("Content-Length", str(length)))
        self.send_start(status, headers, exc_info)
        return []


class WsgiBody:
    """The app's response body, with the errors raised while it is produced reported."""

    def __init__(self, body: Iterable[bytes], reporter: Reporter) -> None:
        self.body = body
        self.reporter = reporter

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.body
        except Exception as error:
            self.reporter.report(LearnerEvent.LEARNER_ERROR, error)
            raise

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        except Exception as error:
            self.reporter.report(LearnerEvent.LEARNER_ERROR, error)
            raise
        finally:
            flush_output()


class SizedWsgiBody(WsgiBody):
    def __len__(self) -> int:
        return len(self.body)  # type: ignore[arg-type]


def serve_asgi(app: Any, listener: socket.socket, reporter: Reporter) -> None:
    import uvicorn

    startup_errors: list[BaseException] = []
    config = uvicorn.Config(
        asgi_wrapper(app, reporter, startup_errors),
        interface="asgi3",
        http="h11",
        ws="none",
        loop="asyncio",
        lifespan="auto",
        access_log=False,
        log_level="warning",  # no "Started server process", errors still logged
        proxy_headers=False,
    )
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except SystemExit:  # uvicorn's own exit when the app's startup failed
        if not startup_errors:
            raise
    if startup_errors:
        reporter.report(LearnerEvent.STARTUP_ERROR, startup_errors[0])
        exit_now(STARTUP_FAILED)


def asgi_wrapper(app: Any, reporter: Reporter, startup_errors: list[BaseException]) -> Any:
    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(scope, receive, send)
            return
        if scope.get("client") is None:  # uvicorn on a Unix socket
            scope["client"], scope["server"] = CLIENT, SERVER

        complete = False

        async def flushing_send(message: dict[str, Any]) -> None:
            nonlocal complete
            if message["type"] == "http.response.body" and not message.get("more_body"):
                flush_output()
                complete = True
            await send(message)

        try:
            await app(scope, receive, flushing_send)
        except Exception as error:
            reporter.report(LearnerEvent.LEARNER_ERROR, error)
            if not complete:
                raise  # uvicorn answers 500, or ends a response cut short
            # Starlette answers 500 itself and then raises again, for the server
            # to log. uvicorn would also close the connection, and the client's
            # next request on it would fail: log it as uvicorn does, and return.
            logging.getLogger("uvicorn.error").error(
                "Exception in ASGI application\n", exc_info=error
            )
        finally:
            flush_output()

    async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
        # An app that raises here without saying startup failed does not speak the
        # lifespan protocol (a bare ASGI function): uvicorn's "auto" goes on without it.
        failed = []

        async def watched_send(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.failed":
                failed.append(message.get("message") or "the app's startup failed")
            await send(message)

        try:
            await app(scope, receive, watched_send)
        except BaseException as error:
            if failed:
                startup_errors.append(error)
            raise
        if failed:
            startup_errors.append(RuntimeError(failed[0]))

    return wrapped
