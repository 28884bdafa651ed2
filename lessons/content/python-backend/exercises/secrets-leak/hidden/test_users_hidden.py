import importlib.util

import pytest
from fastapi.testclient import TestClient

import app as app_module

client = TestClient(app_module.app)

PRIVATE_KEYS = {"email", "password_hash", "api_token", "is_admin", "failed_logins"}
SECRET_VALUES = [
    "ada@example.com",
    "linus@example.com",
    "$argon2id$",
    "YWRhc2FsdHNhbHQ",
    "bGludXNzYWx0",
    "tok_live_",
    "4f9d1c7e2b8a6053",
    "a13e77b0c95d2f48",
    "hunter2",
    "db.internal",
    "postgresql://",
]
PATHS = [
    "/users",
    "/users/1",
    "/users/2",
    "/users/99",
    "/users/0",
    "/users/abc",
    "/users/1/",
    "/no-such-page",
]


def all_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from all_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_keys(item)


def test_no_private_keys_anywhere_in_user_json():
    for path in ("/users", "/users/1", "/users/2"):
        keys = set(all_keys(client.get(path).json()))
        assert not keys & PRIVATE_KEYS, path


def test_secret_values_never_appear_in_any_response():
    for path in PATHS:
        response = client.get(path)
        text = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for secret in SECRET_VALUES:
            assert secret not in text, path


def test_unknown_user_gets_a_plain_404():
    for path in ("/users/99", "/users/0", "/users/-1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "User not found"}, path


@pytest.mark.parametrize("path", ["/users", "/users/2", "/users/99", "/users/abc", "/no-such-page"])
def test_security_headers_on_every_response(path):
    response = client.get(path)
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options", "").upper() == "DENY"


def test_database_url_comes_from_the_environment(monkeypatch):
    source = open(app_module.__file__, encoding="utf-8").read()
    assert "hunter2" not in source and "db.internal" not in source
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-the-environment.db")
    spec = importlib.util.spec_from_file_location("app_fresh_copy", app_module.__file__)
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    assert fresh.DATABASE_URL == "sqlite:///from-the-environment.db"
