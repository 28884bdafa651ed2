# The grader serves your `app` with Uvicorn. `client` is an httpx.Client
# connected to it: client.get("/users/1") sends GET /users/1.


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 160 else response.text[:160] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def test_get_user_returns_only_public_fields(client):
    response = client.get("/users/1")
    assert response.status_code == 200, (
        f"GET /users/1 should answer 200, it answered {answered(response)}"
    )
    assert response.json() == {"id": 1, "username": "ada", "display_name": "Ada Lovelace"}, (
        "GET /users/1 should send only id, username and display_name, "
        f"it answered {answered(response)}"
    )


def test_list_users_returns_public_fields_for_everyone(client):
    response = client.get("/users")
    assert response.status_code == 200, (
        f"GET /users should answer 200, it answered {answered(response)}"
    )
    assert response.json() == [
        {"id": 1, "username": "ada", "display_name": "Ada Lovelace"},
        {"id": 2, "username": "linus", "display_name": "Linus T."},
    ], f"GET /users should list the public fields of each user, it answered {answered(response)}"


def test_responses_send_nosniff_header(client):
    response = client.get("/users")
    assert response.headers.get("X-Content-Type-Options") == "nosniff", (
        "every response needs the header X-Content-Type-Options: nosniff; "
        f"GET /users sent the headers {dict(response.headers)}"
    )
