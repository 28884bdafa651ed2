# The grader serves `notes.main:app` with Uvicorn, and `client` is an
# httpx.Client connected to it. With no NOTES_ variables set, the app uses the
# defaults: sqlite:///./notes.db, page size 20, at most 100. The tests of this
# file share that server and its database, so each one creates the notes it
# needs and checks what changed. `from notes.migrate import migrate` runs your
# functions in your own process.
import uuid


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 160 else response.text[:160] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def new_note(client, title):
    response = client.post("/notes", json={"title": title})
    assert response.status_code == 201, f"POST /notes answered {answered(response)}"
    return response.json()


def test_a_note_is_stored_and_read_back(client):
    created = new_note(client, "Stored")
    assert {"id", "title", "body", "created_at"} <= set(created), (
        f"a note should have id, title, body and created_at: {created!r}"
    )
    fetched = client.get(f"/notes/{created['id']}")
    assert fetched.status_code == 200, f"GET /notes/{created['id']} answered {answered(fetched)}"
    assert fetched.json() == created


def test_the_first_page_is_newest_first_with_a_total(client):
    ids = [new_note(client, f"page {n}")["id"] for n in range(3)]
    response = client.get("/notes")
    assert response.status_code == 200, f"GET /notes answered {answered(response)}"
    page = response.json()
    assert set(page) == {"items", "total", "limit", "offset"}, (
        f'GET /notes should answer {{"items", "total", "limit", "offset"}}: {answered(response)}'
    )
    assert (page["limit"], page["offset"]) == (20, 0), (
        "without ?limit= the page size is the page_size setting (20 by default), "
        f"and offset starts at 0; got limit={page['limit']}, offset={page['offset']}"
    )
    assert page["total"] >= 3
    listed = [note["id"] for note in page["items"]]
    assert listed[:3] == ids[::-1], (
        f"the newest notes come first: expected {ids[::-1]}, got {listed}"
    )


def test_limit_and_offset_walk_through_every_note(client):
    for n in range(5):
        new_note(client, f"walk {n}")
    everything = client.get("/notes", params={"limit": 100}).json()
    walked, offset = [], 0
    while offset < everything["total"]:
        page = client.get("/notes", params={"limit": 2, "offset": offset}).json()
        assert len(page["items"]) <= 2, f"limit=2 gave {len(page['items'])} notes"
        walked += [note["id"] for note in page["items"]]
        offset += 2
    assert walked == [note["id"] for note in everything["items"]], (
        "walking the pages two by two should give every note once, in the same order "
        "as one big page"
    )


def test_migrations_run_once_and_are_recorded():
    from notes.db import make_engine
    from notes.migrate import current_version, migrate

    engine = make_engine(f"sqlite:///./check-{uuid.uuid4().hex}.db")
    assert current_version(engine) == 0, "a new database is at version 0"
    assert migrate(engine) == [1], "migrate() on a new database applies step 1 and returns [1]"
    assert current_version(engine) == 1
    assert migrate(engine) == [], "a second migrate() must apply nothing and return []"
