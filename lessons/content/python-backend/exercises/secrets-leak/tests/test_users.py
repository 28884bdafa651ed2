from fastapi.testclient import TestClient

from app import app

client = TestClient(app)


def test_get_user_returns_only_public_fields():
    response = client.get("/users/1")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "username": "ada", "display_name": "Ada Lovelace"}


def test_list_users_returns_public_fields_for_everyone():
    response = client.get("/users")
    assert response.status_code == 200
    assert response.json() == [
        {"id": 1, "username": "ada", "display_name": "Ada Lovelace"},
        {"id": 2, "username": "linus", "display_name": "Linus T."},
    ]


def test_responses_send_nosniff_header():
    response = client.get("/users")
    assert response.headers.get("X-Content-Type-Options") == "nosniff", (
        "every response needs the header X-Content-Type-Options: nosniff"
    )
