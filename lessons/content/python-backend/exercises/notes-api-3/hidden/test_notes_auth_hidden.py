import base64
import uuid

PASSWORD = "a long enough password"


def sign_up(client, username=None, password=PASSWORD):
    username = username or "u" + uuid.uuid4().hex[:12]
    assert (
        client.post("/users", json={"username": username, "password": password}).status_code == 201
    )
    return username


def token_for(client, username, password=PASSWORD):
    response = client.post("/token", data={"username": username, "password": password})
    assert response.status_code == 200
    return response.json()["access_token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def user(client):
    return bearer(token_for(client, sign_up(client)))


def test_wrong_credentials_are_refused_alike(client):
    name = sign_up(client)
    wrong = client.post("/token", data={"username": name, "password": "not the password"})
    unknown = client.post("/token", data={"username": "nobody_" + name, "password": PASSWORD})
    assert wrong.status_code == 400 and "access_token" not in wrong.text
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())


def test_sign_up_rules(client):
    name = sign_up(client)
    assert client.post("/users", json={"username": name, "password": PASSWORD}).status_code == 409
    for payload in (
        {"username": "ab", "password": PASSWORD},
        {"username": "Has Spaces", "password": PASSWORD},
        {"username": "x" * 31, "password": PASSWORD},
        {"username": "shortpw_" + name[:10], "password": "1234567"},
        {"username": "admin_" + name[:10], "password": PASSWORD, "is_admin": True},
    ):
        assert client.post("/users", json=payload).status_code == 422, payload


def test_tokens_are_random_and_checked(client):
    name = sign_up(client)
    first, second = token_for(client, name), token_for(client, name)
    assert first != second and len(first) >= 22
    me = client.get("/users/me", headers=bearer(first))
    assert me.status_code == 200 and me.json()["username"] == name
    for authorization in (
        f"Bearer {first}x",
        f"Bearer {name}",
        f"Bearer {base64.urlsafe_b64encode(name.encode()).decode()}",
        f"Basic {base64.b64encode(f'{name}:{PASSWORD}'.encode()).decode()}",
    ):
        response = client.get("/notes", headers={"Authorization": authorization})
        assert response.status_code == 401, authorization
        assert response.headers.get("www-authenticate") == "Bearer"


def test_another_user_cannot_read_change_or_delete_a_note(client):
    ada, bob = user(client), user(client)
    note = client.post("/notes", json={"title": "ada's", "body": "private"}, headers=ada).json()
    missing = client.get("/notes/987654321", headers=bob)
    for response in (
        client.get(f"/notes/{note['id']}", headers=bob),
        client.put(f"/notes/{note['id']}", json={"title": "bob was here"}, headers=bob),
        client.delete(f"/notes/{note['id']}", headers=bob),
    ):
        assert (response.status_code, response.json()) == (404, missing.json())
    assert client.get(f"/notes/{note['id']}", headers=ada).json() == note


def test_the_list_and_its_total_are_only_your_own(client):
    ada, bob = user(client), user(client)
    for n in range(3):
        client.post("/notes", json={"title": f"ada {n}"}, headers=ada)
    mine = client.post("/notes", json={"title": "bob's only"}, headers=bob).json()
    page = client.get("/notes", params={"limit": 100}, headers=bob).json()
    assert page["total"] == 1 and [n["id"] for n in page["items"]] == [mine["id"]]
    assert client.get("/notes", headers=ada).json()["total"] == 3


def test_a_note_cannot_be_given_an_owner(client):
    bob = user(client)
    response = client.post("/notes", json={"title": "x", "owner_id": 1}, headers=bob)
    assert response.status_code == 422


def test_health_and_the_docs_need_no_token_and_describe_the_flow(client):
    assert client.get("/health").status_code == 200
    openapi = client.get("/openapi.json").json()
    schemes = openapi.get("components", {}).get("securitySchemes", {}).values()
    flows = [s["flows"]["password"] for s in schemes if "password" in s.get("flows", {})]
    assert flows and flows[0]["tokenUrl"].lstrip("/") == "token"
    assert openapi["paths"]["/notes"]["get"].get("security")


def test_accounts_came_with_a_second_migration():
    from notes.db import make_engine
    from notes.migrate import current_version, migrate

    engine = make_engine(f"sqlite:///./check-{uuid.uuid4().hex}.db")
    assert migrate(engine) == [1, 2]
    assert current_version(engine) == 2
    assert migrate(engine) == []
