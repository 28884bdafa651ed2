import asyncio
import json

from app import app


def drive(scope, incoming):
    sent = []
    incoming = list(incoming)

    async def receive():
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)  # a real server waits here until the client goes away

    async def send(message):
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=2))
    return sent


def request(method, path, query=b""):
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("ascii") + (b"?" + query if query else b""),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"example.org"), (b"accept", b"*/*")],
        "client": ("203.0.113.7", 51234),
        "server": ("example.org", 80),
    }
    sent = drive(scope, [{"type": "http.request", "body": b"", "more_body": False}])
    start = sent[0]
    bodies = [m for m in sent[1:] if m["type"] == "http.response.body"]
    return start, bodies


def test_other_requests_are_404_json():
    for method, path in [("GET", "/hello"), ("GET", "/index.html"), ("POST", "/"), ("DELETE", "/")]:
        start, bodies = request(method, path)
        assert start["status"] == 404
        assert dict(start["headers"])[b"content-type"].startswith(b"application/json")
        assert json.loads(b"".join(m.get("body", b"") for m in bodies)) == {"detail": "Not Found"}


def test_query_string_does_not_change_the_route():
    start, bodies = request("GET", "/", query=b"utm_source=newsletter")
    assert start["status"] == 200
    assert json.loads(b"".join(m.get("body", b"") for m in bodies)) == {"message": "Hello, World!"}


def test_headers_are_byte_pairs_with_correct_length():
    start, bodies = request("GET", "/")
    for name, value in start["headers"]:
        assert isinstance(name, bytes) and isinstance(value, bytes)
        assert name == name.lower()
    body = b"".join(m.get("body", b"") for m in bodies)
    assert dict(start["headers"])[b"content-length"] == str(len(body)).encode()
    assert not bodies[-1].get("more_body", False)


def test_lifespan_startup_and_shutdown():
    sent = drive(
        {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}},
        [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}],
    )
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
