# The grader serves `notes.main:app` with Uvicorn, and `client` is an
# httpx.Client connected to it (default settings, a fresh ./notes.db). The
# tests of this file share that server, so each signs up users of its own.
# The last test runs YOUR tests, test_notes_api.py, with pytest in your own
# process, beside your notes/ package.
import re
import uuid

from learner_tools import pytest_run

LEARNER_FILES = [
    "test_notes_api.py",
    "notes/__init__.py",
    "notes/main.py",
    "notes/settings.py",
    "notes/schemas.py",
    "notes/db.py",
    "notes/models.py",
    "notes/migrate.py",
    "notes/migrations/0001_create_notes.sql",
    "notes/migrations/0002_users_and_owners.sql",
    "notes/security.py",
    "notes/dependencies.py",
    "notes/routers/__init__.py",
    "notes/routers/auth.py",
    "notes/routers/notes.py",
]
PASSWORD = "a long enough password"


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 160 else response.text[:160] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def user_with_token(client):
    username = "u" + uuid.uuid4().hex[:12]
    response = client.post("/users", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, f"POST /users answered {answered(response)}"
    assert response.json()["username"] == username and "password" not in response.text
    response = client.post("/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, (
        f"POST /token with the right password should answer 200, it answered {answered(response)}"
    )
    assert response.json().get("token_type") == "bearer", answered(response)
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_sign_up_log_in_and_keep_a_note(client):
    headers = user_with_token(client)
    response = client.post("/notes", json={"title": "mine"}, headers=headers)
    assert response.status_code == 201, f"POST /notes with a token answered {answered(response)}"
    note = response.json()
    fetched = client.get(f"/notes/{note['id']}", headers=headers)
    assert fetched.status_code == 200 and fetched.json() == note, answered(fetched)


def test_notes_without_a_token_are_401(client):
    for response in (client.get("/notes"), client.post("/notes", json={"title": "x"})):
        assert response.status_code == 401, (
            f"/notes without a token should answer 401, it answered {answered(response)}"
        )
        assert response.headers.get("www-authenticate") == "Bearer", (
            "a 401 must carry the header WWW-Authenticate: Bearer"
        )


def test_another_users_note_is_404(client):
    ada, bob = user_with_token(client), user_with_token(client)
    note = client.post("/notes", json={"title": "ada's secret"}, headers=ada).json()
    response = client.get(f"/notes/{note['id']}", headers=bob)
    assert response.status_code == 404, (
        f"another user asked for ada's note {note['id']} and got {answered(response)}; "
        "it must be 404, as for a note that does not exist"
    )


def test_your_tests_pass_on_your_app():
    result = pytest_run(files={}, tests=LEARNER_FILES, timeout=30)
    assert result["returncode"] is not None, "your tests did not finish within 30 seconds"
    assert result["returncode"] != 5, (
        "pytest found no tests in test_notes_api.py: name them test_..."
    )
    assert result["returncode"] == 0, (
        "your tests must pass on your own app; pytest said:\n" + result["output"]
    )
    passed = re.search(r"(\d+) passed", result["output"])
    assert passed and int(passed.group(1)) >= 6, (
        "write at least 6 tests (a parametrized case counts as one); pytest said:\n"
        + result["output"]
    )
