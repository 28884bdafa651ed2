from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

from app import application


def call(method="GET", path="/", query="", app=application):
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
    }
    setup_testing_defaults(environ)
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = status
        captured["headers"] = headers

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return captured["status"], dict(captured["headers"]), body


def test_hello_without_name_greets_world():
    assert call("GET", "/hello")[2] == b"Hello, World!"
    assert call("GET", "/hello", "name=")[2] == b"Hello, World!"


def test_name_is_url_decoded():
    assert call("GET", "/hello", "name=Grace%20Hopper")[2] == b"Hello, Grace Hopper!"
    assert call("GET", "/hello", "name=Alan+Turing&lang=en")[2] == b"Hello, Alan Turing!"


def test_non_ascii_name_and_content_length():
    status, headers, body = call("GET", "/hello", "name=Zo%C3%AB")
    assert body == "Hello, Zoë!".encode("utf-8")
    assert "utf-8" in headers["Content-Type"].lower()
    assert headers["Content-Length"] == str(len(body))


def test_post_is_405_with_allow_header():
    for path in ("/", "/hello"):
        status, headers, _ = call("POST", path)
        assert status.startswith("405")
        assert headers.get("Allow") == "GET"


def test_app_follows_wsgi_rules():
    checked = validator(application)
    for method, path, query in [("GET", "/", ""), ("GET", "/hello", "name=Ada"), ("GET", "/nope", "")]:
        call(method, path, query, app=checked)
