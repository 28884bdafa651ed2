"""The sandbox's web-exercise mode on the host, without Docker: the learner side
(harness/learner_http.py) serves an app in a real process on an abstract Unix
socket, and the runner side (harness/http_client.py) talks to it over real HTTP.

As in the sandbox, the socket is bound and listening before the app's process
starts, which inherits it; this process then closes its own copy, so that a
request to a process that is gone is refused instead of waiting in the backlog.
"""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler

from sandboxes.images.python.harness import lectern_protocol as protocol

HARNESS = Path(__file__).resolve().parents[2] / "sandboxes" / "images" / "python" / "harness"
WAIT = 30  # seconds; only a broken server waits this long

# The learner process's part, as the supervisor will do it: the harness and the
# learner's directory on sys.path, the inherited listener, reports as JSON lines.
SERVE = """
import json, os, socket, sys
harness, fd, reports, spec = sys.argv[1:]
sys.path[:0] = [os.getcwd(), harness]
import learner_http

def report_error(record):
    with open(reports, "a") as file:
        file.write(json.dumps(record) + "\\n")

learner_http.serve_app(
    spec=spec, listener=socket.socket(fileno=int(fd)), report_error=report_error
)
"""


def harness_module(name: str) -> ModuleType:
    """A fresh copy of a harness module, so that each test has its own module state.
    The harness imports the protocol by its name in the image, lectern_protocol."""
    sys.modules.setdefault("lectern_protocol", protocol)
    spec = importlib.util.spec_from_file_location(f"harness_{name}", HARNESS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    address: str
    directory: Path

    def reports(self, *, at_least: int = 0) -> list[dict[str, Any]]:
        """The reports so far, once there are `at_least` (most are written before the
        response they belong to, so there is nothing to wait for)."""
        path = self.directory / "reports.jsonl"
        deadline = time.monotonic() + WAIT
        while True:
            lines = path.read_text().splitlines() if path.exists() else []
            if len(lines) >= at_least or time.monotonic() > deadline:
                return [json.loads(line) for line in lines]
            time.sleep(0.01)

    def output(self, name: str) -> str:
        return (self.directory / name).read_text()

    def exit_status(self) -> int:
        return self.process.wait(timeout=WAIT)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start serve_app in a process of its own on `files` (name → source)."""
    started: list[subprocess.Popen[bytes]] = []

    def start(files: dict[str, str], spec: str = "app:app") -> Served:
        work = tmp_path / f"work{len(started)}"
        work.mkdir()
        for name, source in files.items():
            (work / name).write_text(textwrap.dedent(source))
        address = f"\0lectern-http-test-{os.getpid()}-{time.monotonic_ns()}"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(address)
        listener.listen()
        arguments = [str(HARNESS), str(listener.fileno()), str(work / "reports.jsonl"), spec]
        with (work / "stdout").open("wb") as stdout, (work / "stderr").open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", SERVE, *arguments],
                cwd=work,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                pass_fds=[listener.fileno()],
            )
        started.append(process)
        listener.close()
        return Served(process, address, work)

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=WAIT)


@pytest.fixture
def http_client() -> ModuleType:
    return harness_module("http_client")


def client_on(http_client: ModuleType, served: Served) -> httpx.Client:
    http_client.configure(address=served.address)
    return httpx.Client(**http_client.client_options())


WSGI_APP = """\
import sys

def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/boom":
        return [undefined_name]
    body = f"{environ['REQUEST_METHOD']} {path}?{environ['QUERY_STRING']}"
    if path == "/long":
        body = "x" * 500
    print("handled", path, end="")  # no newline: flushed all the same
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [body.encode(), f" from {environ['REMOTE_ADDR']}".encode()]
"""

ASGI_APP = """\
import asyncio

async def app(scope, receive, send):
    assert scope["type"] == "http"  # no lifespan: uvicorn goes on without it
    if scope["path"] == "/boom":
        raise KeyError("missing")
    if scope["path"] == "/answered":  # as Starlette does: answer 500, raise for the log
        await send({"type": "http.response.start", "status": 500, "headers": []})
        await send({"type": "http.response.body", "body": b"Internal Server Error"})
        await asyncio.sleep(0.2)  # the client's next request is on its way
        raise ValueError("answered")
    if scope["path"] == "/slow":
        await asyncio.sleep(0.5)
    body = f"{scope['method']} {scope['path']} from {scope['client'][0]}".encode()
    print("handled", scope["path"])
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})
"""


def test_a_wsgi_app_is_served_over_the_abstract_socket(serve: Any, http_client: Any) -> None:
    served = serve({"app.py": WSGI_APP})

    with client_on(http_client, served) as client:
        response = client.get("/hello", params={"name": "Ada"})

        assert response.status_code == 200
        assert response.text == "GET /hello?name=Ada from 127.0.0.1"
        # Printed during the request, read while the server still runs.
        assert served.output("stdout") == "handled /hello"
    assert served.reports() == []


def test_an_asgi_app_is_served_over_the_abstract_socket(serve: Any, http_client: Any) -> None:
    served = serve({"app.py": ASGI_APP})

    with client_on(http_client, served) as client:
        response = client.post("/items")

        assert (response.status_code, response.text) == (200, "POST /items from 127.0.0.1")
        assert served.output("stdout") == "handled /items\n"
    assert served.reports() == []


def test_an_error_escaping_a_wsgi_app_is_reported_once_and_answered_500(
    serve: Any, http_client: Any
) -> None:
    served = serve({"app.py": WSGI_APP})

    with client_on(http_client, served) as client:
        assert client.get("/boom").status_code == 500
        assert client.get("/").status_code == 200

    [report] = served.reports()
    assert report["type"] == "learner_error"
    assert report["exception"] == "NameError"
    assert report["message"] == "NameError: name 'undefined_name' is not defined"
    assert report["location"] == {"file": "app.py", "line": 6}
    assert 'File "' in report["traceback"]
    assert "waitress" not in report["traceback"]
    # The server's own error log still reaches stderr.
    assert "Exception while serving /boom" in served.output("stderr")


def test_an_error_escaping_an_asgi_app_is_reported_once_and_answered_500(
    serve: Any, http_client: Any
) -> None:
    served = serve({"app.py": ASGI_APP})

    with client_on(http_client, served) as client:
        assert client.get("/boom").status_code == 500
        assert client.get("/").status_code == 200

    [report] = served.reports()
    assert (report["type"], report["exception"]) == ("learner_error", "KeyError")
    assert report["message"] == "KeyError: 'missing'"
    assert report["location"] == {"file": "app.py", "line": 6}
    assert report["traceback"].endswith("KeyError: 'missing'\n")
    assert "uvicorn" not in report["traceback"]
    assert "Exception in ASGI application" in served.output("stderr")


def test_an_error_raised_after_an_asgi_app_answered_500_keeps_the_connection(
    serve: Any, http_client: Any
) -> None:
    served = serve({"app.py": ASGI_APP})

    with client_on(http_client, served) as client:
        assert client.get("/answered").status_code == 500
        # On the same connection, still running when the error comes: uvicorn alone
        # would close the connection then, and this request would never be answered.
        assert client.get("/slow").status_code == 200

    [report] = served.reports(at_least=1)
    assert report["exception"] == "ValueError"
    assert report["location"] == {"file": "app.py", "line": 11}
    assert "Exception in ASGI application" in served.output("stderr")


FLASK_APP = """\
from flask import Flask, request

app = Flask(__name__)

@app.get("/")
def index():
    return {"remote": request.remote_addr, "host": request.host}

@app.get("/boom")
def boom():
    return {"value": x}
"""


def test_a_flask_app_and_an_error_it_answers_500_itself(serve: Any, http_client: Any) -> None:
    served = serve({"app.py": FLASK_APP})

    with client_on(http_client, served) as client:
        index = client.get("/")
        boom = client.get("/boom")
        again = client.get("/")

    assert index.json() == {"remote": "127.0.0.1", "host": "testserver"}
    assert (boom.status_code, again.status_code) == (500, 200)
    [report] = served.reports()
    assert report["exception"] == "NameError"
    assert report["message"] == "NameError: name 'x' is not defined"
    assert report["location"] == {"file": "app.py", "line": 11}
    assert report["traceback"] == (
        "Traceback (most recent call last):\n"
        '  File "app.py", line 11, in boom\n'
        '    return {"value": x}\n'
        "                     ^\n"
        "NameError: name 'x' is not defined\n"
    )
    # Flask's own log of it is untouched: its default handler writes it to stderr.
    assert "Exception on /boom [GET]" in served.output("stderr")


DJANGO_APP = """\
from django.conf import settings

settings.configure(
    DEBUG=False, SECRET_KEY="not-secret", ROOT_URLCONF=__name__, ALLOWED_HOSTS=[], MIDDLEWARE=[]
)

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

def index(request):
    return HttpResponse(f"Hello from Django on {request.get_host()}")

def boom(request):
    return HttpResponse(1 / 0)

urlpatterns = [path("", index), path("boom", boom)]
application = get_wsgi_application()
"""


def test_a_django_wsgi_handler_and_an_error_django_answers_500_itself(
    serve: Any, http_client: Any
) -> None:
    served = serve({"app.py": DJANGO_APP}, spec="app:application")

    with client_on(http_client, served) as client:
        index = client.get("/")
        boom = client.get("/boom")

    # As Django's own test client makes it, the test host is allowed.
    assert (index.status_code, index.text) == (200, "Hello from Django on testserver")
    assert boom.status_code == 500
    [report] = served.reports()
    assert (report["exception"], report["location"]) == (
        "ZeroDivisionError",
        {"file": "app.py", "line": 15},
    )


FORWARDED_APP = """\
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    forwarded = [environ.get(f"HTTP_X_FORWARDED_{name}", "-") for name in ("FOR", "PROTO", "HOST")]
    return [" ".join(forwarded).encode()]
"""


def test_forwarded_headers_reach_the_app_for_it_to_judge(serve: Any, http_client: Any) -> None:
    """The grader's server passes X-Forwarded-* on, as gunicorn does (waitress
    would drop them), so that exercises on trusting a proxy can be graded over
    HTTP."""
    served = serve({"app.py": FORWARDED_APP})

    with client_on(http_client, served) as client:
        response = client.get(
            "/",
            headers={
                "X-Forwarded-For": "203.0.113.9, 10.0.0.2",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "shop.example",
            },
        )

    assert response.text == "203.0.113.9, 10.0.0.2 https shop.example"


def test_a_head_request_to_a_django_app_gets_no_body_and_keeps_the_connection(
    serve: Any, http_client: Any
) -> None:
    """Django leaves dropping a HEAD answer's body to the server; the harness drops
    it, so that the next answer on the same connection is read as one."""
    served = serve({"app.py": DJANGO_APP}, spec="app:application")

    with client_on(http_client, served) as client:
        got = client.get("/")
        heads = [client.head("/") for _ in range(2)]
        after = client.get("/")

    for head in heads:
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == str(len(got.content))
    assert (after.status_code, after.text) == (200, got.text)


@pytest.mark.parametrize(
    ("source", "exception", "line"),
    [
        ("import flask\nimport no_such_module\n", "ModuleNotFoundError", 2),
        ("x = 1\n\nprint(y)\n", "NameError", 3),
        ("app = 42\n", "TypeError", None),
        ("def app():\n    pass\n", "TypeError", None),
    ],
    ids=["import-error", "name-error", "not-an-app", "no-arguments"],
)
def test_an_app_that_cannot_start_is_a_startup_error_and_exit_3(
    serve: Any, http_client: Any, source: str, exception: str, line: int | None
) -> None:
    served = serve({"app.py": source})

    assert served.exit_status() == 3
    [report] = served.reports()
    assert (report["type"], report["exception"]) == ("startup_error", exception)
    assert report["location"] == (line and {"file": "app.py", "line": line})
    assert report["message"].startswith(f"{exception}: ")
    # Nothing listens any more: the request says so in words a learner understands.
    with client_on(http_client, served) as client, pytest.raises(httpx.ConnectError) as error:
        client.get("/")
    assert http_client.NOT_ANSWERING in str(error.value)


LIFESPAN_APP = """\
import traceback

async def app(scope, receive, send):
    if scope["type"] == "lifespan":  # what Starlette does when a startup handler raises
        await receive()
        try:
            raise RuntimeError("the database is not there")
        except BaseException:
            await send({"type": "lifespan.startup.failed", "message": traceback.format_exc()})
            raise
"""


def test_an_asgi_app_whose_lifespan_startup_fails_is_a_startup_error(serve: Any) -> None:
    served = serve({"app.py": LIFESPAN_APP})

    assert served.exit_status() == 3
    [report] = served.reports()
    assert (report["type"], report["exception"]) == ("startup_error", "RuntimeError")
    assert report["location"] == {"file": "app.py", "line": 7}


def test_exchanges_are_recorded_for_the_current_test(serve: Any, http_client: Any) -> None:
    served = serve({"app.py": WSGI_APP})
    http_client.pytest_runtest_logstart(nodeid="test_app.py::test_one")

    with client_on(http_client, served) as client:
        client.get("/hello?name=Ada")
        client.post("/long", content=b"{}")
        for _ in range(25):
            client.get("/again")
    http_client.pytest_runtest_logfinish(nodeid="test_app.py::test_one")
    with client_on(http_client, served) as client:
        client.get("/between-tests")

    exchanges = http_client.take_exchanges("test_app.py::test_one")
    assert exchanges[0] == {
        "method": "GET",
        "path": "/hello?name=Ada",
        "status": 200,
        "content_type": "text/plain; charset=utf-8",
        "body": "GET /hello?name=Ada from 127.0.0.1",
        "truncated": False,
    }
    assert exchanges[1]["method"] == "POST"
    assert (exchanges[1]["body"], exchanges[1]["truncated"]) == ("x" * 300, True)
    assert len(exchanges) == http_client.EXCHANGES_PER_TEST
    assert http_client.take_exchanges("test_app.py::test_one") == []


RUNNER = """
import json, sys
harness, name, tests = sys.argv[1:]
sys.path.insert(0, harness)
import http_client
import pytest

class Collect:
    def __init__(self):
        self.exchanges = {}

    def pytest_runtest_logfinish(self, nodeid):
        self.exchanges[nodeid] = http_client.take_exchanges(nodeid)

http_client.configure(address="\\0" + name)  # a NUL cannot be an argument
collect = Collect()
status = pytest.main(
    [tests, "-q", "-p", "no:cacheprovider", "-c", tests + "/pytest.ini"],
    plugins=[http_client, collect],
)
print("EXCHANGES " + json.dumps(collect.exchanges))
sys.exit(status)
"""

EXERCISE_TESTS = """\
import asyncio

import httpx

def test_index(client):
    assert client.get("/index").status_code == 200

def test_concurrent(client_options):
    async def send_all():
        async with httpx.AsyncClient(**client_options) as client:
            return await asyncio.gather(*(client.get(f"/{n}") for n in range(6)))

    assert [r.text for r in asyncio.run(send_all())] == [
        f"GET /{n} from 127.0.0.1" for n in range(6)
    ]
"""


def test_the_plugin_gives_tests_clients_and_the_runner_their_exchanges(
    serve: Any, tmp_path: Path
) -> None:
    served = serve({"app.py": ASGI_APP.replace('print("handled", scope["path"])', "")})
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "pytest.ini").write_text("[pytest]\n")
    (tests / "test_app.py").write_text(EXERCISE_TESTS)

    run = subprocess.run(
        [sys.executable, "-I", "-c", RUNNER, str(HARNESS), served.address[1:], str(tests)],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=WAIT * 2,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    exchanges = json.loads(run.stdout.split("EXCHANGES ", 1)[1])
    assert [e["path"] for e in exchanges["test_app.py::test_index"]] == ["/index"]
    assert sorted(e["path"] for e in exchanges["test_app.py::test_concurrent"]) == [
        f"/{n}" for n in range(6)
    ]


def test_app_kind_decides_as_uvicorn_does() -> None:
    learner_http = harness_module("learner_http")
    flask = pytest.importorskip("flask")

    def wsgi(environ: Any, start_response: Any) -> list[bytes]:
        return []

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        pass

    class AsgiObject:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            pass

    assert learner_http.app_kind(wsgi) == "wsgi"
    assert learner_http.app_kind(asgi) == "asgi"
    assert learner_http.app_kind(AsgiObject()) == "asgi"
    assert learner_http.app_kind(flask.Flask("app")) == "wsgi"
    # Instances without their __init__, which would load the host project's middleware.
    assert learner_http.app_kind(object.__new__(WSGIHandler)) == "wsgi"
    assert learner_http.app_kind(object.__new__(ASGIHandler)) == "asgi"
    with pytest.raises(TypeError, match="is a class"):
        learner_http.app_kind(AsgiObject)
