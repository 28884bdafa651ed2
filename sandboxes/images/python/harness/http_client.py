"""The exercise tests' HTTP client for the learner's web app (the test runner side).

A pytest plugin module. The runner calls `configure(address=...)` with the
abstract AF_UNIX address the learner process serves on, passes this module in
`pytest.main(..., plugins=[http_client, ...])`, and after each test takes what the
test sent and got with `take_exchanges(nodeid)`, to show it to the learner.

Tests use the `client` fixture, an httpx.Client on the app:

    def test_index(client):
        assert client.get("/").text == "Hello, World!"

Concurrent requests need an httpx.AsyncClient. The image has no pytest-asyncio, so
such a test is a plain function that runs its own event loop, with the same options
as `client` (the `client_options` fixture, or the function of that name here):

    def test_concurrent(client_options):
        async def send_all():
            async with httpx.AsyncClient(**client_options) as client:
                return await asyncio.gather(*(client.get("/") for _ in range(5)))

        assert all(r.status_code == 200 for r in asyncio.run(send_all()))

httpx reaches an abstract socket on its own (uds="\\0name": the name goes to
connect() as it is, for the sync and the async transport alike). The transport
here wraps httpx's for three reasons: one set of options must serve both kinds of
client (httpx wants a sync transport and sync event hooks for Client, async ones
for AsyncClient), every exchange is recorded for the current test, and a request
to an app that is not there says so in words a learner understands.

TLS verification is off: the requests never leave the machine and never use TLS,
and loading the certificate store costs 50 ms or more per client. trust_env is off
so that proxy variables cannot send the requests anywhere else.
"""

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

BASE_URL = "http://testserver"
# Generous: the supervisor enforces the real limit on the whole run.
TIMEOUT = 60.0
BODY_CHARS = 300
EXCHANGES_PER_TEST = 20
NOT_ANSWERING = "the app is not answering: it did not start, or it stopped (see the error above)"
# What httpx raises when nothing listens, or the app's process went away mid-request.
GONE = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)

_address: str | None = None
_current: str | None = None
_exchanges: dict[str, list[httpx.Response]] = {}
_lock = threading.Lock()


def configure(*, address: str) -> None:
    """Where the learner's app is served: an abstract address, "\\0lectern-http-…"."""
    global _address
    _address = address


def client_options() -> dict[str, Any]:
    """Keyword arguments for httpx.Client or httpx.AsyncClient on the learner's app."""
    if _address is None:
        raise RuntimeError("http_client.configure(address=...) was not called")
    return {
        "base_url": BASE_URL,
        "transport": Transport(_address),
        "timeout": TIMEOUT,
        "trust_env": False,
    }


def take_exchanges(nodeid: str) -> list[dict[str, Any]]:
    """The requests made during test `nodeid` and their responses, in order; forgotten
    once taken. The bodies are read now, after the test: a response the test
    streamed and never read has no body to show."""
    with _lock:
        responses = _exchanges.pop(nodeid, [])
    return [describe(response) for response in responses]


def describe(response: httpx.Response) -> dict[str, Any]:
    try:
        text = response.text
    except httpx.ResponseNotRead:
        text, unread = "", True
    else:
        unread = False
    return {
        "method": response.request.method,
        "path": response.request.url.raw_path.decode("ascii", "replace"),
        "status": response.status_code,
        "content_type": response.headers.get("content-type"),
        "body": text[:BODY_CHARS],
        "truncated": unread or len(text) > BODY_CHARS,
    }


def record(response: httpx.Response) -> None:
    with _lock:
        if _current is None:
            return
        responses = _exchanges.setdefault(_current, [])
        if len(responses) < EXCHANGES_PER_TEST:
            responses.append(response)


class Transport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """httpx's own transports on the app's socket, sync and async, made when first used.

    The response returned here is the very object the client hands the test (httpx
    only binds it to the request), so keeping it is enough to read its status,
    headers and decoded body later."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sync: httpx.HTTPTransport | None = None
        self.asynchronous: httpx.AsyncHTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.sync is None:
            self.sync = httpx.HTTPTransport(uds=self.address, verify=False)
        try:
            response = self.sync.handle_request(request)
        except GONE as error:
            raise type(error)(f"{NOT_ANSWERING}. {error}", request=request) from None
        record(response)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.asynchronous is None:
            self.asynchronous = httpx.AsyncHTTPTransport(uds=self.address, verify=False)
        try:
            response = await self.asynchronous.handle_async_request(request)
        except GONE as error:
            raise type(error)(f"{NOT_ANSWERING}. {error}", request=request) from None
        record(response)
        return response

    def close(self) -> None:
        if self.sync is not None:
            self.sync.close()

    async def aclose(self) -> None:
        if self.asynchronous is not None:
            await self.asynchronous.aclose()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """An httpx.Client on the learner's app, closed after the test."""
    with httpx.Client(**client_options()) as http:
        yield http


@pytest.fixture(name="client_options")
def client_options_fixture() -> dict[str, Any]:
    """client_options(), for tests that make their own (async) clients."""
    return client_options()


def pytest_runtest_logstart(nodeid: str) -> None:
    global _current
    _current = nodeid


def pytest_runtest_logfinish(nodeid: str) -> None:
    global _current
    _current = None
