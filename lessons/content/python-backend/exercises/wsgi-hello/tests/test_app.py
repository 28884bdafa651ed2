from wsgiref.util import setup_testing_defaults

from app import application


def call(method="GET", path="/", query=""):
    """Call the WSGI application the way a server would; return (status, headers, body)."""
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
        captured["headers"] = dict(headers)

    body = b"".join(application(environ, start_response))
    return captured["status"], captured["headers"], body


def test_root_says_hello_world():
    status, headers, body = call("GET", "/")
    assert status == "200 OK", f"GET / answered {status!r}, not '200 OK'"
    assert headers.get("Content-Type", "").startswith("text/plain"), (
        f"GET / should be plain text, got Content-Type {headers.get('Content-Type')!r}"
    )
    assert body == b"Hello, World!", f"GET / answered {body!r}"


def test_hello_greets_by_name():
    status, _, body = call("GET", "/hello", "name=Ada")
    assert status == "200 OK", f"GET /hello?name=Ada answered {status!r}, not '200 OK'"
    assert body == b"Hello, Ada!", f"GET /hello?name=Ada answered {body!r}"


def test_unknown_path_is_404():
    status, _, _ = call("GET", "/does-not-exist")
    code = status.split(" ")[0]
    assert code == "404", f"GET /does-not-exist answered {status!r}, not '404 Not Found'"
