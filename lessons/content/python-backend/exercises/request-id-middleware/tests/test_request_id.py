# The grader serves your `app` with a real server; `client` is an httpx.Client
# connected to it. `app.LOG_LINES` is the list of log lines in the server.
import json

import pytest

import app


@pytest.fixture(autouse=True)
def no_log_lines(monkeypatch):
    monkeypatch.setattr(app, "LOG_LINES", [])


def logged():
    """The server's log lines so far, parsed."""
    return [json.loads(line) for line in app.LOG_LINES]


def test_a_response_carries_a_request_id(client):
    response = client.get("/hello")
    assert response.status_code == 200
    request_id = response.headers.get("x-request-id", "")
    assert 1 <= len(request_id) <= 64, (
        f"the response should carry an X-Request-ID header; it had {dict(response.headers)}"
    )


def test_a_clients_plain_id_is_kept_and_logged(client):
    response = client.get("/hello", headers={"X-Request-ID": "checkout-42"})
    assert response.headers.get("x-request-id") == "checkout-42"
    greeting = [line for line in logged() if line.get("message") == "saying hello"]
    assert greeting, f"the view's log line is missing; the log was {app.LOG_LINES}"
    assert greeting[0].get("request_id") == "checkout-42", (
        f"the view's log line should carry the request id; it was {greeting[0]}"
    )


def test_one_access_line_per_request(client):
    client.get("/hello", headers={"X-Request-ID": "access-1"})
    access = [line for line in logged() if line.get("logger") == "access"]
    assert len(access) == 1, f"one access line per request; the log was {app.LOG_LINES}"
    line = access[0]
    assert {k: line.get(k) for k in ("method", "path", "status", "request_id")} == {
        "method": "GET",
        "path": "/hello",
        "status": 200,
        "request_id": "access-1",
    }, line
    assert isinstance(line.get("duration_ms"), (int, float)) and line["duration_ms"] >= 0, line
