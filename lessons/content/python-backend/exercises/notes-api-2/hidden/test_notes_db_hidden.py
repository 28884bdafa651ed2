import uuid

import pytest
from learner_tools import pytest_run

FILES = [
    "notes/__init__.py",
    "notes/main.py",
    "notes/settings.py",
    "notes/schemas.py",
    "notes/db.py",
    "notes/models.py",
    "notes/migrate.py",
    "notes/migrations/0001_create_notes.sql",
    "notes/dependencies.py",
    "notes/routers/__init__.py",
    "notes/routers/notes.py",
]

# Run in your own process, with FastAPI's TestClient, against apps that your
# create_app() builds on databases of their own.
PROBE = """
import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from notes.main import create_app
from notes.settings import Settings

MIGRATIONS = Path("notes/migrations")


def versions(path):
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT version FROM schema_version ORDER BY version")]


def test_a_restart_keeps_the_notes_and_applies_nothing(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'notes.db'}")
    note = TestClient(create_app(settings)).post("/notes", json={"title": "kept"}).json()
    again = TestClient(create_app(settings))
    assert again.get(f"/notes/{note['id']}").json()["title"] == "kept"
    assert versions(tmp_path / "notes.db") == [1]


def test_new_migration_files_run_once_in_numeric_order(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'notes.db'}")
    create_app(settings)
    (MIGRATIONS / "0003_tag_colour.sql").write_text("ALTER TABLE tags ADD COLUMN colour TEXT;")
    (MIGRATIONS / "0002_tags.sql").write_text(
        "-- a second table\\nCREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\\n"
        "CREATE INDEX tags_name ON tags (name);\\n"
    )
    try:
        create_app(settings)
        create_app(settings)
    finally:
        (MIGRATIONS / "0002_tags.sql").unlink()
        (MIGRATIONS / "0003_tag_colour.sql").unlink()
    assert versions(tmp_path / "notes.db") == [1, 2, 3]
    with sqlite3.connect(tmp_path / "notes.db") as db:
        db.execute("INSERT INTO tags (name, colour) VALUES ('work', 'blue')")


def test_page_sizes_come_from_the_settings(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'notes.db'}", page_size=2, max_page_size=3
    )
    client = TestClient(create_app(settings))
    for n in range(5):
        client.post("/notes", json={"title": f"n{n}"})
    assert len(client.get("/notes").json()["items"]) == 2
    page = client.get("/notes", params={"limit": 50}).json()
    assert page["limit"] == 3 and len(page["items"]) == 3
"""


def new_note(client, title="a note", body=""):
    response = client.post("/notes", json={"title": title, "body": body})
    assert response.status_code == 201
    return response.json()


def walk(client, size):
    walked, offset, total = [], 0, None
    while total is None or offset < total:
        page = client.get("/notes", params={"limit": size, "offset": offset}).json()
        total = page["total"]
        walked += [note["id"] for note in page["items"]]
        offset += size
    return walked


def test_pages_are_stable_when_notes_share_a_timestamp(client):
    # Created within a second or two: most of them share their created_at.
    ids = [new_note(client, f"burst {n}")["id"] for n in range(30)]
    for size in (7, 4):
        walked = walk(client, size)
        assert len(walked) == len(set(walked)), "a note appeared on two pages"
        assert [i for i in walked if i in ids] == sorted(ids, reverse=True)


def test_the_limit_is_capped_and_bad_paging_is_422(client):
    for n in range(101):
        new_note(client, f"many {n}")
    page = client.get("/notes", params={"limit": 1000}).json()
    assert page["limit"] == 100 and len(page["items"]) == 100
    for params in ({"limit": 0}, {"limit": -3}, {"offset": -1}, {"limit": "ten"}):
        assert client.get("/notes", params=params).status_code == 422, params


def test_past_the_end_is_an_empty_page(client):
    new_note(client)
    total = client.get("/notes").json()["total"]
    page = client.get("/notes", params={"offset": total}).json()
    assert page["items"] == [] and page["total"] == total and page["offset"] == total


def test_replace_delete_and_404_on_the_database(client):
    note = new_note(client, "draft", "first words")
    replaced = client.put(f"/notes/{note['id']}", json={"title": "final", "body": "last words"})
    assert replaced.status_code == 200
    assert replaced.json() == {**note, "title": "final", "body": "last words"}
    assert client.get(f"/notes/{note['id']}").json() == replaced.json()
    before = client.get("/notes").json()["total"]
    deleted = client.delete(f"/notes/{note['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get("/notes").json()["total"] == before - 1
    for response in (
        client.get(f"/notes/{note['id']}"),
        client.put(f"/notes/{note['id']}", json={"title": "ghost"}),
        client.delete(f"/notes/{note['id']}"),
    ):
        assert response.status_code == 404


@pytest.mark.parametrize(
    "payload",
    [{"body": "no title"}, {"title": "  "}, {"title": "x" * 201}, {"title": "ok", "x": 1}],
)
def test_invalid_notes_are_still_422(client, payload):
    total = client.get("/notes").json()["total"]
    assert client.post("/notes", json=payload).status_code == 422
    assert client.get("/notes").json()["total"] == total


def test_a_migrated_database_is_left_alone():
    from notes.db import make_engine
    from notes.migrate import current_version, migrate

    url = f"sqlite:///./again-{uuid.uuid4().hex}.db"
    assert migrate(make_engine(url)) == [1]
    # A new engine on the same file: what a restarted server sees.
    assert migrate(make_engine(url)) == []
    assert current_version(make_engine(url)) == 1


def test_the_app_restarts_on_its_migrated_database():
    result = pytest_run(files={"test_probe.py": PROBE}, tests=FILES)
    assert result["returncode"] == 0, result["output"]
