# The grader serves your `app` with Uvicorn. `client` is an httpx.Client
# connected to it: client.get("/") sends GET / and gives back the response
# Uvicorn built from the messages your app sent.


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 120 else response.text[:120] + "..."
    content_type = response.headers.get("content-type", "no content type")
    answer = f"status {response.status_code}, {content_type}, body {body!r}"
    if response.status_code == 500:
        answer += " (Uvicorn could not use the messages your app sent, or it raised an exception)"
    return answer


def test_root_sends_200_json_message(client):
    response = client.get("/")
    assert response.status_code == 200, f"GET / should answer 200, it answered {answered(response)}"
    try:
        data = response.json()
    except ValueError:
        data = None
    assert data == {"message": "Hello, World!"}, (
        'GET / should send the JSON {"message": "Hello, World!"}, '
        f"it answered {answered(response)}"
    )


def test_root_content_type_is_json(client):
    response = client.get("/")
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), (
        f"GET / should send content-type application/json, it answered {answered(response)}"
    )


def test_unknown_path_is_404(client):
    response = client.get("/missing")
    assert response.status_code == 404, (
        f"GET /missing should answer 404, it answered {answered(response)}"
    )
