"""A web application written against ASGI directly, with no framework."""

# Set to True when the server's lifespan.startup message arrives.
started = False


async def app(scope, receive, send):
    # Every request gets the same plain-text answer, whatever its path.
    # Look at scope["type"], scope["method"] and scope["path"] to decide
    # what to send, and answer in JSON.
    body = b"Hello, World!"
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
