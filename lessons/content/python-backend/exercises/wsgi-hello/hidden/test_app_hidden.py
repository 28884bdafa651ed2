# Query strings are written out by hand, exactly as they are sent.


def test_hello_without_name_greets_world(client):
    assert client.get("/hello").content == b"Hello, World!"
    assert client.get("/hello?name=").content == b"Hello, World!"


def test_name_is_url_decoded(client):
    assert client.get("/hello?name=Grace%20Hopper").content == b"Hello, Grace Hopper!"
    assert client.get("/hello?name=Alan+Turing&lang=en").content == b"Hello, Alan Turing!"


def test_non_ascii_name_and_content_length(client):
    # A Content-Length counted in characters (11) instead of bytes (12) makes
    # the server cut the body short, or the connection break.
    response = client.get("/hello?name=Zo%C3%AB")
    assert response.content == "Hello, Zoë!".encode("utf-8")
    assert "utf-8" in response.headers["content-type"].lower()
    assert response.headers["content-length"] == str(len(response.content))


def test_post_is_405_with_allow_header(client):
    for path in ("/", "/hello"):
        response = client.post(path)
        assert response.status_code == 405, path
        assert response.headers.get("allow") == "GET", path


def test_app_follows_wsgi_rules(client):
    # The server refuses a response that breaks the WSGI rules (a status that
    # is not a str, headers that are not (str, str) pairs, a body that is not
    # an iterable of bytes) and answers 500 instead, or drops the connection.
    for path in ("/", "/hello?name=Ada", "/nope"):
        response = client.get(path)
        assert response.status_code != 500, (path, response.text[:200])
        assert response.reason_phrase, path
        assert response.headers["content-length"] == str(len(response.content)), path
