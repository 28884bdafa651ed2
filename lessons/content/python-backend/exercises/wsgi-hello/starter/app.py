"""A web application written against WSGI directly, with no framework."""


def application(environ, start_response):
    # Every request gets the same answer, whatever its method or path.
    # Look at environ["REQUEST_METHOD"], environ["PATH_INFO"] and
    # environ.get("QUERY_STRING", "") to decide what to send back.
    body = b"Hello, World!"
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]
