# The grader serves your `app` with Uvicorn. `client` is an httpx.Client
# connected to it. `data=` sends a form, as OAuth2's password flow does.

ADA = {"username": "ada", "password": "analytical-engine-1843"}


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 160 else response.text[:160] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def test_the_token_endpoint_issues_a_bearer_token(client):
    response = client.post("/token", data=ADA)
    assert response.status_code == 200, (
        f"POST /token with ada's password should answer 200, it answered {answered(response)}"
    )
    body = response.json()
    assert body.get("token_type") == "bearer", f"POST /token answered {answered(response)}"
    assert isinstance(body.get("access_token"), str) and body["access_token"], (
        f"POST /token should answer an access_token, it answered {answered(response)}"
    )


def test_users_me_answers_with_the_token(client):
    token = client.post("/token", data=ADA).json()["access_token"]
    response = client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, (
        f"GET /users/me with ada's token should answer 200, it answered {answered(response)}"
    )
    assert response.json() == {"username": "ada", "full_name": "Ada Lovelace"}, answered(response)


def test_users_me_without_a_token_is_401_with_a_bearer_challenge(client):
    response = client.get("/users/me")
    assert response.status_code == 401, (
        f"GET /users/me without an Authorization header should answer 401, "
        f"it answered {answered(response)}"
    )
    assert response.headers.get("www-authenticate") == "Bearer", (
        "a 401 must say how to authenticate: the header WWW-Authenticate: Bearer; "
        f"the headers were {dict(response.headers)}"
    )
