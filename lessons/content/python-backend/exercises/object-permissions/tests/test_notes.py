# The grader serves your `app` with a real WSGI server; `client` is an
# httpx.Client connected to it. Each user sends their token in the
# Authorization header, as the starter's login_required expects.

ADA = {"Authorization": "Bearer ada-8f14e45fceea167a5a36dedd4bea2543"}
BOB = {"Authorization": "Bearer bob-c9f0f895fb98ab9159f51fd0297e236d"}


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 160 else response.text[:160] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def create(client, user, title, body=""):
    response = client.post("/notes", json={"title": title, "body": body}, headers=user)
    assert response.status_code == 201, f"POST /notes answered {answered(response)}"
    return response.json()


def test_a_user_can_create_list_and_read_their_notes(client):
    note = create(client, ADA, "Shopping", "bread, tea")
    assert note["owner"] == "ada" and note["title"] == "Shopping", note
    listed = client.get("/notes", headers=ADA).json()
    assert note in listed, f"GET /notes as ada should list her new note; it listed {listed}"
    response = client.get(f"/notes/{note['id']}", headers=ADA)
    assert response.status_code == 200, f"ada reading her note: {answered(response)}"
    assert response.json() == note


def test_a_user_can_update_and_delete_their_notes(client):
    note = create(client, ADA, "Draft")
    response = client.put(
        f"/notes/{note['id']}", json={"title": "Final", "body": "done"}, headers=ADA
    )
    assert response.status_code == 200, f"ada updating her note: {answered(response)}"
    assert response.json()["title"] == "Final"
    response = client.delete(f"/notes/{note['id']}", headers=ADA)
    assert response.status_code == 204, f"ada deleting her note: {answered(response)}"
    assert client.get(f"/notes/{note['id']}", headers=ADA).status_code == 404


def test_requests_without_a_valid_token_get_401(client):
    assert client.get("/notes").status_code == 401
    assert client.get("/notes", headers={"Authorization": "Bearer guessed"}).status_code == 401


def test_another_users_note_is_not_found(client):
    note = create(client, ADA, "Diary", "dear diary")
    response = client.get(f"/notes/{note['id']}", headers=BOB)
    assert response.status_code == 404, (
        f"bob asked for ada's note {note['id']}: he should get 404, exactly as for a note "
        f"that does not exist, and he got {answered(response)}"
    )
