"""My tests of the notes API: each one builds a fresh app on a database of its
own, so that no test depends on another."""

import pytest
from fastapi.testclient import TestClient
from notes.main import create_app
from notes.settings import Settings


@pytest.fixture
def client(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'notes.db'}")
    return TestClient(create_app(settings))


def test_health_needs_no_token(client):
    assert client.get("/health").status_code == 200


# TODO: sign up two users, log them in, and test what each may and may not do.
