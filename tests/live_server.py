"""A real Daphne process serving the project, and a client for it (HTTP with
cookies and CSRF, and the submission WebSocket). Used by the end-to-end tests
and by the benchmark."""

import contextlib
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from websockets.sync.client import connect
from websockets.typing import Origin

PROJECT_DIR = Path(__file__).resolve().parent.parent


def live_database_url() -> str:
    """The test database, for a server or worker in another process (committed data
    only): the SQLite file, or the PostgreSQL test database."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    credentials = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "127.0.0.1"
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{params['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Site:
    def __init__(self, port: int, process: subprocess.Popen[bytes] | None = None) -> None:
        # The server's process, for tests that kill it.
        self.process = process
        # Seconds to wait for an answer; a load test queues many requests at once.
        self.timeout = 10.0
        self.base = f"http://127.0.0.1:{port}"
        self.ws_base = f"ws://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def log_in_as(self, user: "User") -> None:
        """Share a session of `user` (made in this process's database) with the site."""
        client = Client()
        client.force_login(user)
        morsel = client.cookies[settings.SESSION_COOKIE_NAME]
        self.cookies.set_cookie(
            http.cookiejar.Cookie(
                0,
                morsel.key,
                morsel.value,
                None,
                False,
                "127.0.0.1",
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )

    def cookie(self, name: str) -> str:
        return next((cookie.value or "" for cookie in self.cookies if cookie.name == name), "")

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=self.timeout) as response:
            return str(response.read().decode())

    def get_json(self, path: str) -> tuple[int, dict[str, Any]]:
        """Status and JSON body, for error statuses too."""
        try:
            with self.opener.open(self.base + path, timeout=self.timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def post_json(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(  # noqa: S310 - always our own http:// base
            self.base + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.cookie("csrftoken")},
            method="POST",
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            return response.status, json.loads(response.read())

    def listen(
        self, submission_id: str, until: Callable[[dict[str, Any]], bool], timeout: float = 60
    ) -> list[dict[str, Any]]:
        """Messages on the submission's socket up to the first that `until` accepts.
        `timeout` bounds the wait for each message, and five times it the whole
        wait: messages that keep coming (queue positions) never hold a test forever."""
        received: list[dict[str, Any]] = []
        give_up = time.monotonic() + 5 * timeout
        with connect(
            f"{self.ws_base}/ws/submissions/{submission_id}/",
            origin=Origin(self.base),
            additional_headers={"Cookie": f"sessionid={self.cookie('sessionid')}"},
            open_timeout=self.timeout,
        ) as websocket:
            while True:
                left = give_up - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no accepted message within {5 * timeout} s: {received}")
                received.append(json.loads(websocket.recv(timeout=min(timeout, left))))
                if until(received[-1]):
                    return received

    def events(self, submission_id: str, after: int = 0) -> list[dict[str, Any]]:
        """Every message on the submission's socket until the server closes it."""
        received = []
        with connect(
            f"{self.ws_base}/ws/submissions/{submission_id}/?after={after}",
            origin=Origin(self.base),
            additional_headers={"Cookie": f"sessionid={self.cookie('sessionid')}"},
            open_timeout=self.timeout,
        ) as websocket:
            for message in websocket:  # ends when the server closes after `completed`
                received.append(json.loads(message))
        return received


@contextlib.contextmanager
def daphne_server(*, database_url: str, log_dir: Path, **env: str) -> Iterator[Site]:
    """Daphne on a free port with the inline grader (or as `env` says), on the given database."""
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The same key as this process, so sessions made here are valid there.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url,
        # The in-process grader unless a test asks for Celery (the scaled-out run
        # exports GRADER_BACKEND=celery for the test process itself).
        "GRADER_BACKEND": "inline",
        "GRADER_INLINE_AUTOSTART": "1",
        "GRADER_POLL_SECONDS": "0.5",
        # Counts in a shared Redis cache (the sign-in limit) are this server's alone.
        "CACHE_KEY_PREFIX": f"test-{port}-{os.getpid()}",
        **env,
    }
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "daphne.log").open("wb") as log:
        daphne = Path(sys.executable).parent / "daphne"
        server = subprocess.Popen(
            [
                str(daphne),
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "--websocket_connect_timeout",
                "30",
                "config.asgi:application",
            ],
            cwd=PROJECT_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_port(port, server)
            yield Site(port, server)
        finally:
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    # Still finishing gradings or closing sockets: no test waits on it.
                    server.kill()
                    server.wait()


# Daphne imports Django and the project first: a second on an idle machine, much
# more on a loaded one. The deadline only bounds how long a broken start takes to fail.
START_SECONDS = 60


def _wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Daphne exited with status {server.returncode}; see daphne.log")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"Daphne did not listen on port {port} within {START_SECONDS} s")
