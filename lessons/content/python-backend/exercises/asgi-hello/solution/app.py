"""A web application written against ASGI directly, with no framework."""

import json

# Set to True when the server's lifespan.startup message arrives.
started = False


async def send_json(send, status, data):
    body = json.dumps(data).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def lifespan(receive, send):
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            # Where a real application would open its database connections.
            global started
            started = True
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    if scope["type"] != "http":
        raise RuntimeError(f"unsupported scope type {scope['type']!r}")

    if scope["method"] == "GET" and scope["path"] == "/":
        await send_json(send, 200, {"message": "Hello, World!"})
    else:
        await send_json(send, 404, {"detail": "Not Found"})
