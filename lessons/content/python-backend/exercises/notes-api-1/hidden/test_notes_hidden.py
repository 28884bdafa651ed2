import pytest
from learner_tools import pytest_run

FILES = [
    "notes/__init__.py",
    "notes/main.py",
    "notes/settings.py",
    "notes/schemas.py",
    "notes/store.py",
    "notes/dependencies.py",
    "notes/routers/__init__.py",
    "notes/routers/notes.py",
]

# Run in your own process, with FastAPI's TestClient, against apps built by
# your create_app(): what the server alone cannot show.
PROBE = """
from fastapi.testclient import TestClient

from notes.dependencies import get_settings
from notes.main import create_app
from notes.settings import Settings


def test_two_apps_do_not_share_notes():
    first, second = TestClient(create_app()), TestClient(create_app())
    assert first.post("/notes", json={"title": "only in the first app"}).status_code == 201
    assert second.get("/notes").json()["items"] == []


def test_create_app_uses_the_settings_it_is_given():
    client = TestClient(create_app(Settings(app_name="Given")))
    assert client.get("/health").json()["app"] == "Given"


def test_settings_can_be_overridden_through_the_dependency():
    app = create_app()
    app.dependency_overrides[get_settings] = lambda: Settings(app_name="Overridden")
    assert TestClient(app).get("/health").json()["app"] == "Overridden"
"""


def new_note(client, title="a note", body=""):
    response = client.post("/notes", json={"title": title, "body": body})
    assert response.status_code == 201
    return response.json()


def test_replace_and_delete_a_note(client):
    note = new_note(client, "draft", "first words")
    replaced = client.put(f"/notes/{note['id']}", json={"title": "final", "body": "last words"})
    assert replaced.status_code == 200
    assert replaced.json() == {"id": note["id"], "title": "final", "body": "last words"}
    assert client.get(f"/notes/{note['id']}").json()["title"] == "final"
    deleted = client.delete(f"/notes/{note['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(f"/notes/{note['id']}").status_code == 404
    assert client.delete(f"/notes/{note['id']}").status_code == 404
    assert client.put(f"/notes/{note['id']}", json={"title": "ghost"}).status_code == 404
    assert note["id"] not in [n["id"] for n in client.get("/notes").json()["items"]]


@pytest.mark.parametrize(
    "payload",
    [
        {"body": "no title at all"},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "ok", "body": "x" * 10_001},
        {"title": "ok", "body": 42},
        {"title": "ok", "owner": "someone"},
        ["not", "an", "object"],
    ],
)
def test_invalid_notes_are_422_and_change_nothing(client, payload):
    before = client.get("/notes").json()["items"]
    assert client.post("/notes", json=payload).status_code == 422
    note = new_note(client, "keep me")
    assert client.put(f"/notes/{note['id']}", json=payload).status_code == 422
    assert client.get(f"/notes/{note['id']}").json() == note
    assert len(client.get("/notes").json()["items"]) == len(before) + 1


def test_titles_are_trimmed_and_ids_are_never_reused(client):
    first = new_note(client, "  padded  ")
    assert first["title"] == "padded"
    client.delete(f"/notes/{first['id']}")
    second = new_note(client, "after the delete")
    assert second["id"] > first["id"]
    assert client.get("/notes/not-a-number").status_code == 422


def test_the_routes_are_on_a_router_under_notes(client):
    from notes.routers.notes import router

    assert router.prefix == "/notes"
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/notes", "/notes/{note_id}", "/health"} <= paths


def test_settings_have_defaults_and_refuse_bad_values():
    from notes.settings import load_settings

    defaults = load_settings({})
    assert (defaults.app_name, defaults.page_size, defaults.max_page_size) == ("Notes API", 20, 100)
    assert defaults.database_url == "sqlite:///./notes.db"
    assert load_settings({"NOTES_DATABASE_URL": "sqlite:///x.db"}).database_url == "sqlite:///x.db"
    assert load_settings({"NOTES_MAX_PAGE_SIZE": "30"}).max_page_size == 30
    for bad in (
        {"NOTES_PAGE_SIZE": "many"},
        {"NOTES_PAGE_SIZE": "0"},
        {"NOTES_MAX_PAGE_SIZE": "-5"},
        {"NOTES_PAGE_SIZE": "50", "NOTES_MAX_PAGE_SIZE": "10"},
    ):
        with pytest.raises(ValueError):
            load_settings(bad)


def test_the_factory_builds_independent_configurable_apps():
    result = pytest_run(files={"test_probe.py": PROBE}, tests=FILES)
    assert result["returncode"] == 0, result["output"]
