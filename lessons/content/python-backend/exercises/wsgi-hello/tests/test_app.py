# The grader serves `application` with a real WSGI server. `client` is an
# httpx.Client connected to it: client.get("/hello", params={"name": "Ada"})
# sends GET /hello?name=Ada.


def answered(response):
    """What the app sent back, in a few words: status line, content type, body."""
    body = response.text if len(response.text) <= 120 else response.text[:120] + "..."
    content_type = response.headers.get("content-type", "no content type")
    answer = f"{response.status_code} {response.reason_phrase!r}, {content_type}, body {body!r}"
    if response.status_code == 500:
        answer += (
            " (the server could not send what application returned, or it raised an exception)"
        )
    return answer


def test_root_says_hello_world(client):
    response = client.get("/")
    status = f"{response.status_code} {response.reason_phrase}"
    assert status == "200 OK", f"GET / should answer '200 OK', it answered {answered(response)}"
    assert response.headers.get("content-type", "").startswith("text/plain"), (
        f"GET / should be plain text, it answered {answered(response)}"
    )
    assert response.content == b"Hello, World!", f"GET / answered {answered(response)}"


def test_hello_greets_by_name(client):
    response = client.get("/hello", params={"name": "Ada"})
    assert response.status_code == 200, (
        f"GET /hello?name=Ada should answer 200, it answered {answered(response)}"
    )
    assert response.content == b"Hello, Ada!", f"GET /hello?name=Ada answered {answered(response)}"


def test_unknown_path_is_404(client):
    response = client.get("/does-not-exist")
    assert response.status_code == 404, (
        f"GET /does-not-exist should answer '404 Not Found', it answered {answered(response)}"
    )
