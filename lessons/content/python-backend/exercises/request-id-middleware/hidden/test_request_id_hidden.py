import asyncio
import json
import re

import httpx
import pytest

import app

SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")


@pytest.fixture(autouse=True)
def no_log_lines(monkeypatch):
    monkeypatch.setattr(app, "LOG_LINES", [])


def logged():
    return [json.loads(line) for line in app.LOG_LINES]


def test_an_unsafe_client_id_is_replaced(client):
    for unsafe in ('x"}, "admin": true, "x": "', "a" * 65, "two words", "<script>", "\u00e9t\u00e9"):
        response = client.get("/hello", headers={"X-Request-ID": unsafe.encode("utf-8")})
        answered = response.headers.get("x-request-id", "")
        assert answered != unsafe and SAFE.fullmatch(answered), (unsafe, answered)
    for line in logged():
        assert SAFE.fullmatch(str(line.get("request_id"))), line
        assert "admin" not in line, line


def test_concurrent_requests_keep_their_own_ids(client_options):
    ids = [f"req-{n}" for n in range(12)]

    async def scenario():
        async with httpx.AsyncClient(**client_options) as c:
            await asyncio.gather(
                *(
                    c.get(f"/slow?ms={20 + 15 * (n % 4)}", headers={"X-Request-ID": rid})
                    for n, rid in enumerate(ids)
                )
            )

    asyncio.run(scenario())
    by_id = {}
    for line in logged():
        by_id.setdefault(line.get("request_id"), []).append(line.get("message"))
    for rid in ids:
        assert sorted(by_id.get(rid, [])) == ["done waiting", "request", "waiting"], (
            rid,
            by_id.get(rid),
        )


def test_a_failing_view_is_logged_with_its_500(client):
    response = client.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    access = [line for line in logged() if line.get("logger") == "access"]
    assert [(line.get("status"), line.get("request_id")) for line in access] == [(500, "boom-1")]
    assert any(
        line.get("message") == "about to fail" and line.get("request_id") == "boom-1"
        for line in logged()
    )


def test_every_line_is_one_json_object_with_a_request_id(client):
    client.get("/slow?ms=1")
    client.get("/nowhere")
    lines = logged()
    assert lines and all(isinstance(line, dict) and "request_id" in line for line in lines)
    assert any(line.get("path") == "/nowhere" and line.get("status") == 404 for line in lines)
