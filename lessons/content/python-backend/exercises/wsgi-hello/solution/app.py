"""A web application written against WSGI directly, with no framework."""

from urllib.parse import parse_qs


def respond(start_response, status, text, extra_headers=()):
    body = text.encode("utf-8")
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *extra_headers,
    ]
    start_response(status, headers)
    return [body]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path not in ("/", "/hello"):
        return respond(start_response, "404 Not Found", "Not Found")
    if environ["REQUEST_METHOD"] != "GET":
        return respond(
            start_response, "405 Method Not Allowed", "Method Not Allowed", [("Allow", "GET")]
        )

    if path == "/":
        return respond(start_response, "200 OK", "Hello, World!")

    query = parse_qs(environ.get("QUERY_STRING", ""))
    name = query.get("name", ["World"])[0] or "World"
    return respond(start_response, "200 OK", f"Hello, {name}!")
