import base64

ADA = {"username": "ada", "password": "analytical-engine-1843"}
GRACE = {"username": "grace", "password": "cobol-and-nanoseconds"}


def token_for(client, credentials):
    response = client.post("/token", data=credentials)
    assert response.status_code == 200
    return response.json()["access_token"]


def me(client, authorization):
    return client.get("/users/me", headers={"Authorization": authorization})


def is_refused_with_a_challenge(response):
    return response.status_code == 401 and response.headers.get("www-authenticate") == "Bearer"


def test_wrong_credentials_are_refused_alike(client):
    wrong_password = client.post("/token", data={"username": "ada", "password": "babbage"})
    unknown_user = client.post("/token", data={"username": "charles", "password": "babbage"})
    for response in (wrong_password, unknown_user):
        # 400 is what OAuth2 answers for a refused password grant; 401 is accepted too.
        assert response.status_code in (400, 401)
        assert "access_token" not in response.text
    assert unknown_user.status_code == wrong_password.status_code
    assert unknown_user.json() == wrong_password.json()


def test_tokens_are_random_not_made_from_the_username(client):
    first, second = token_for(client, ADA), token_for(client, ADA)
    assert first != second
    assert len(first) >= 22  # at least 128 random bits, written in base64
    for token in (first, second):
        assert me(client, f"Bearer {token}").json()["username"] == "ada"
    # Tokens anyone could make from a username must not open anything.
    for forged in (
        "ada",
        "grace",
        base64.urlsafe_b64encode(b"grace").decode(),
        base64.b64encode(b"grace").decode(),
        base64.b16encode(b"grace").decode(),
    ):
        assert is_refused_with_a_challenge(me(client, f"Bearer {forged}")), forged


def test_a_bad_token_is_refused_with_a_bearer_challenge(client):
    token = token_for(client, ADA)
    for authorization in (
        "Bearer not-a-token",
        f"Bearer {token}x",
        "Bearer",
        f"Basic {base64.b64encode(b'ada:analytical-engine-1843').decode()}",
    ):
        assert is_refused_with_a_challenge(me(client, authorization)), authorization


def test_each_token_belongs_to_its_own_user(client):
    ada, grace = token_for(client, ADA), token_for(client, GRACE)
    assert me(client, f"Bearer {grace}").json() == {
        "username": "grace",
        "full_name": "Grace Hopper",
    }
    assert me(client, f"Bearer {ada}").json()["username"] == "ada"


def test_openapi_describes_the_password_flow(client):
    openapi = client.get("/openapi.json").json()
    schemes = openapi.get("components", {}).get("securitySchemes", {})
    flows = [
        s["flows"]["password"]
        for s in schemes.values()
        if s.get("type") == "oauth2" and "password" in s.get("flows", {})
    ]
    assert flows and flows[0]["tokenUrl"].lstrip("/") == "token"
    assert openapi["paths"]["/users/me"]["get"].get("security")
