import httpx

USERNAME = "ada"
PASSWORD = "analytical-engine-1843"
COOKIE = "sessionid"


def post(client, path, data=None):
    token = client.get("/csrf").json()["csrf_token"]
    return client.post(path, data=data or {}, headers={"X-CSRFToken": token})


def log_in(client, username=USERNAME, password=PASSWORD):
    return post(client, "/login", {"username": username, "password": password})


def me_with_cookie(client_options, session_id):
    """GET /me from another client that sends only this session cookie."""
    with httpx.Client(**client_options) as other:
        return other.get("/me", headers={"Cookie": f"{COOKIE}={session_id}"})


def test_wrong_credentials_are_refused_alike(client):
    wrong_password = log_in(client, password="analytical-engine-1842")
    assert wrong_password.status_code == 401
    assert client.get("/me").status_code == 401
    unknown_user = log_in(client, username="charles", password=PASSWORD)
    assert unknown_user.status_code == 401
    # Nobody may learn from the answer which usernames exist.
    assert unknown_user.json() == wrong_password.json()


def test_logging_in_gives_a_new_session_id(client, client_options):
    # GET /csrf stores the token in a session: this client has a session before it
    # logs in, as an attacker's planted one would.
    client.get("/csrf")
    before = client.cookies.get(COOKIE)
    assert before
    assert log_in(client).status_code == 200
    after = client.cookies.get(COOKIE)
    assert after and after != before
    # Whoever knew the old id is not logged in as ada; the new one works.
    assert me_with_cookie(client_options, before).status_code == 401
    assert me_with_cookie(client_options, after).status_code == 200


def test_logging_out_ends_the_session_on_the_server(client, client_options):
    assert log_in(client).status_code == 200
    session_id = client.cookies.get(COOKIE)
    assert me_with_cookie(client_options, session_id).status_code == 200
    assert post(client, "/logout").status_code == 200
    # A copy of the cookie (another tab, a stolen one) must not work any more.
    assert me_with_cookie(client_options, session_id).status_code == 401
    assert client.get("/me").status_code == 401


def test_the_session_cookie_is_httponly_and_samesite(client):
    # Every session cookie carries the same flags: the one GET /csrf sets for a
    # visitor's session is the one that login will keep, under a new id.
    response = client.get("/csrf")
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")]
    assert cookies, "no session cookie was set"
    flags = [part.strip().lower() for part in cookies[-1].split(";")[1:]]
    assert "httponly" in flags
    assert "samesite=lax" in flags or "samesite=strict" in flags


def test_me_needs_a_logged_in_session(client, client_options):
    assert me_with_cookie(client_options, "made-up-session-id").status_code == 401
    client.get("/csrf")  # a session, but nobody has logged in with it
    response = client.get("/me")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_posts_still_need_the_csrf_token(client):
    response = client.post("/login", data={"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 403
