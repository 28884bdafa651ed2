"""My tests of the notes API: each one builds a fresh app on a database of its
own, so that no test depends on another."""

import pytest
from fastapi.testclient import TestClient
from notes.main import create_app
from notes.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture
def client(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'notes.db'}", page_size=2, max_page_size=3
    )
    return TestClient(create_app(settings))


def sign_up(client, username):
    assert (
        client.post("/users", json={"username": username, "password": PASSWORD}).status_code == 201
    )
    response = client.post("/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def ada(client):
    return sign_up(client, "ada")


@pytest.fixture
def bob(client):
    return sign_up(client, "bob")


def add_note(client, headers, title="a note"):
    response = client.post("/notes", json={"title": title}, headers=headers)
    assert response.status_code == 201
    return response.json()


def test_a_note_is_created_and_read_back(client, ada):
    note = add_note(client, ada, "shopping")
    assert client.get(f"/notes/{note['id']}", headers=ada).json() == note


def test_notes_need_a_token(client, ada):
    # ada has a real token: a made-up one must still be refused.
    assert client.get("/notes").status_code == 401
    assert client.post("/notes", json={"title": "x"}).status_code == 401
    assert client.get("/notes", headers={"Authorization": "Bearer made-up"}).status_code == 401


def test_a_wrong_password_gets_no_token(client, ada):
    response = client.post("/token", data={"username": "ada", "password": "wrong password"})
    assert response.status_code == 400
    assert "access_token" not in response.text


def test_another_users_note_is_not_found(client, ada, bob):
    note = add_note(client, ada, "private")
    assert client.get(f"/notes/{note['id']}", headers=bob).status_code == 404
    assert (
        client.put(f"/notes/{note['id']}", json={"title": "mine"}, headers=bob).status_code == 404
    )
    assert client.delete(f"/notes/{note['id']}", headers=bob).status_code == 404
    assert client.get(f"/notes/{note['id']}", headers=ada).json() == note


def test_the_list_holds_only_my_notes(client, ada, bob):
    add_note(client, ada, "ada's")
    mine = add_note(client, bob, "bob's")
    page = client.get("/notes", headers=bob).json()
    assert [n["id"] for n in page["items"]] == [mine["id"]] and page["total"] == 1


def test_delete_really_deletes(client, ada):
    note = add_note(client, ada)
    assert client.delete(f"/notes/{note['id']}", headers=ada).status_code == 204
    assert client.get(f"/notes/{note['id']}", headers=ada).status_code == 404
    assert client.get("/notes", headers=ada).json()["total"] == 0


def test_pages_use_the_settings_and_the_cap(client, ada):
    ids = [add_note(client, ada, f"n{n}")["id"] for n in range(5)]
    assert [n["id"] for n in client.get("/notes", headers=ada).json()["items"]] == ids[:-3:-1]
    page = client.get("/notes", params={"limit": 50}, headers=ada).json()
    assert page["limit"] == 3 and len(page["items"]) == 3


@pytest.mark.parametrize("payload", [{"title": ""}, {"title": "  "}, {"title": "x" * 201}])
def test_bad_notes_are_422(client, ada, payload):
    assert client.post("/notes", json=payload, headers=ada).status_code == 422
    assert client.get("/notes", headers=ada).json()["total"] == 0
