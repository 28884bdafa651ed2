# The grader serves your `app` with a real web server. `client` is an
# httpx.Client connected to it: client.get("/hello") sends GET /hello.


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 120 else response.text[:120] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def json_body(response):
    """The parsed JSON body, or None if the answer is not JSON."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def test_hello_returns_200(client):
    response = client.get("/hello")
    assert response.status_code == 200, (
        f"GET /hello should answer 200, it answered {answered(response)}"
    )


def test_hello_returns_json_message(client):
    response = client.get("/hello")
    assert json_body(response) == {"message": "Hello, World!"}, (
        'GET /hello should answer the JSON {"message": "Hello, World!"}, '
        f"it answered {answered(response)}"
    )
