# The grader serves `notes.main:app` with Uvicorn, and `client` is an
# httpx.Client connected to it. All the tests of this file talk to the same
# server, so each one creates the notes it needs and checks what changed.
# `from notes.settings import load_settings` runs your function in your own
# process: what it returns is read from there.


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 160 else response.text[:160] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def test_create_then_read_a_note(client):
    response = client.post("/notes", json={"title": "Groceries", "body": "eggs, flour"})
    assert response.status_code == 201, (
        f"POST /notes should answer 201 Created, it answered {answered(response)}"
    )
    created = response.json()
    assert isinstance(created.get("id"), int), f"the new note needs an integer id: {created!r}"
    assert created == {"id": created["id"], "title": "Groceries", "body": "eggs, flour"}
    fetched = client.get(f"/notes/{created['id']}")
    assert fetched.status_code == 200, (
        f"GET /notes/{created['id']} should answer 200, it answered {answered(fetched)}"
    )
    assert fetched.json() == created


def test_the_list_holds_every_note_in_id_order(client):
    ids = [client.post("/notes", json={"title": f"list {n}"}).json()["id"] for n in range(3)]
    response = client.get("/notes")
    assert response.status_code == 200, f"GET /notes answered {answered(response)}"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("items"), list), (
        f'GET /notes should answer {{"items": [...]}}, it answered {answered(response)}'
    )
    listed = [note["id"] for note in body["items"]]
    assert [i for i in listed if i in ids] == ids, f"expected {ids} in this order in {listed}"
    assert listed == sorted(listed), f"the list should be ordered by id: {listed}"
    assert body["items"][-1] == {"id": ids[-1], "title": "list 2", "body": ""}, (
        "a note created without a body has the body ''"
    )


def test_an_unknown_note_is_404(client):
    response = client.get("/notes/999999")
    assert response.status_code == 404, (
        f"GET /notes/999999 should answer 404, it answered {answered(response)}"
    )
    assert response.headers.get("content-type", "").startswith("application/json"), answered(
        response
    )


def test_an_empty_title_is_422(client):
    response = client.post("/notes", json={"title": "", "body": "no title"})
    assert response.status_code == 422, (
        f"a note with an empty title should be refused with 422, it got {answered(response)}"
    )


def test_health_names_the_app(client):
    response = client.get("/health")
    assert response.status_code == 200, f"GET /health answered {answered(response)}"
    assert response.json() == {"status": "ok", "app": "Notes API"}, (
        "with no NOTES_APP_NAME in the environment, /health should name the default app, "
        f"it answered {answered(response)}"
    )


def test_settings_are_read_from_the_environment():
    from notes.settings import load_settings

    settings = load_settings({"NOTES_APP_NAME": "Jotter", "NOTES_PAGE_SIZE": "5"})
    assert settings.app_name == "Jotter", "NOTES_APP_NAME should set app_name"
    assert settings.page_size == 5, (
        f"NOTES_PAGE_SIZE='5' should give page_size 5 (an int), got {settings.page_size!r}"
    )
    assert settings.max_page_size == 100, "a variable that is not set keeps its default"
