ADA = {"Authorization": "Bearer ada-8f14e45fceea167a5a36dedd4bea2543"}
BOB = {"Authorization": "Bearer bob-c9f0f895fb98ab9159f51fd0297e236d"}


def create(client, user, title, body=""):
    response = client.post("/notes", json={"title": title, "body": body}, headers=user)
    assert response.status_code == 201
    return response.json()


def test_another_user_cannot_read_change_or_delete_a_note(client):
    note = create(client, ADA, "Bank PIN", "4711")
    path = f"/notes/{note['id']}"
    missing = client.get("/notes/999999", headers=BOB)
    assert missing.status_code == 404
    for response in (
        client.get(path, headers=BOB),
        client.put(path, json={"title": "pwned", "body": ""}, headers=BOB),
        client.delete(path, headers=BOB),
    ):
        # Not 403: the answer must not tell that note exists.
        assert response.status_code == 404
        assert response.text == missing.text
        assert "4711" not in response.text
    assert client.get(path, headers=ADA).json() == note


def test_the_list_shows_only_your_own_notes(client):
    adas = create(client, ADA, "Ada's list")
    bobs = create(client, BOB, "Bob's list")
    for query in ("", "?owner=ada", "?owner=bob"):
        ids = {n["id"] for n in client.get(f"/notes{query}", headers=BOB).json()}
        assert adas["id"] not in ids, query
        assert bobs["id"] in ids, query


def test_a_new_note_belongs_to_whoever_created_it(client):
    response = client.post(
        "/notes", json={"title": "Planted", "body": "", "owner": "ada"}, headers=BOB
    )
    assert response.status_code == 201
    note = response.json()
    assert note["owner"] == "bob"
    assert note["id"] not in {n["id"] for n in client.get("/notes", headers=ADA).json()}
    assert client.get(f"/notes/{note['id']}", headers=ADA).status_code == 404
