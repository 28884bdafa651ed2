# The grader serves `application` from app.py with a real WSGI server. `client`
# is an httpx.Client connected to it that keeps cookies, as a browser does.
#
# Every POST needs the CSRF token, as a form on a page would send it: GET /csrf
# answers {"csrf_token": ...}, and the tests send it back in the X-CSRFToken
# header.

USERNAME = "ada"
PASSWORD = "analytical-engine-1843"


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 120 else response.text[:120] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def post(client, path, data=None):
    token = client.get("/csrf").json()["csrf_token"]
    return client.post(path, data=data or {}, headers={"X-CSRFToken": token})


def log_in(client, username=USERNAME, password=PASSWORD):
    return post(client, "/login", {"username": username, "password": password})


def test_logging_in_lets_me_see_who_i_am(client):
    response = log_in(client)
    assert response.status_code == 200, (
        f"POST /login with the right password should answer 200, it answered {answered(response)}"
    )
    assert response.json() == {"username": "ada"}, f"POST /login answered {answered(response)}"
    me = client.get("/me")
    assert me.status_code == 200, (
        f"after logging in, GET /me should answer 200, it answered {answered(me)}"
    )
    assert me.json() == {"username": "ada"}, f"GET /me answered {answered(me)}"


def test_me_without_logging_in_is_401(client):
    response = client.get("/me")
    assert response.status_code == 401, (
        "GET /me from a client that has not logged in should answer 401 with a JSON "
        f"body, it answered {answered(response)}"
    )
    assert response.headers.get("content-type") == "application/json", answered(response)
    assert "detail" in response.json(), (
        f'the 401 should say why in a "detail" field, it answered {answered(response)}'
    )


def test_logging_out_logs_me_out(client):
    assert log_in(client).status_code == 200
    response = post(client, "/logout")
    assert response.status_code == 200, (
        f"POST /logout should answer 200, it answered {answered(response)}"
    )
    me = client.get("/me")
    assert me.status_code == 401, (
        f"after logging out, GET /me should answer 401, it answered {answered(me)}"
    )
