import asyncio
import json

import httpx

from app import app


def http_scope(method, path):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("ascii"),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


def call(method="GET", path="/"):
    """Drive the ASGI app by hand, as a server would; return the messages it sent."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(http_scope(method, path), receive, send))
    return sent


def test_root_sends_200_json_message():
    sent = call("GET", "/")
    assert sent, "the app sent no messages at all"
    start = sent[0]
    assert start["type"] == "http.response.start", f"first message was {start!r}"
    assert start["status"] == 200, f"GET / answered {start['status']}, not 200"
    body = b"".join(m.get("body", b"") for m in sent[1:] if m["type"] == "http.response.body")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    assert data == {"message": "Hello, World!"}, (
        f'GET / should send the JSON {{"message": "Hello, World!"}}, but sent {body!r}'
    )


def test_root_content_type_is_json():
    headers = dict(call("GET", "/")[0]["headers"])
    content_type = headers.get(b"content-type", b"")
    assert content_type.startswith(b"application/json"), (
        f"GET / should send content-type application/json, sent {content_type!r}"
    )


def test_unknown_path_is_404():
    async def get():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get("/missing")

    response = asyncio.run(get())
    assert response.status_code == 404, f"GET /missing answered {response.status_code}, not 404"
