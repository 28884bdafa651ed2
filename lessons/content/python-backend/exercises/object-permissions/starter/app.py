"""Private notes: every user keeps their own. Or so the users think."""

import functools
import hmac
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, abort, g, request

app = Flask(__name__)

DB_PATH = Path(tempfile.mkdtemp()) / "notes.sqlite3"

# Logging in is not this exercise's business: each user has a fixed API token,
# sent as "Authorization: Bearer <token>". Authentication is done and correct.
TOKENS = {
    "ada-8f14e45fceea167a5a36dedd4bea2543": "ada",
    "bob-c9f0f895fb98ab9159f51fd0297e236d": "bob",
}


@contextmanager
def database():
    connection = sqlite3.connect(DB_PATH)
    connection.row_factory = sqlite3.Row
    try:
        with connection:  # commits, or rolls back on an exception
            yield connection
    finally:
        connection.close()


with database() as db:
    db.execute(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT NOT NULL,"
        " title TEXT NOT NULL, body TEXT NOT NULL)"
    )


def login_required(view):
    """Set g.user from the bearer token, or answer 401."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user = next(
            (name for known, name in TOKENS.items() if hmac.compare_digest(known, token)), None
        )
        if scheme.lower() != "bearer" or user is None:
            abort(401)
        g.user = user
        return view(*args, **kwargs)

    return wrapper


def note_fields():
    data = request.get_json(silent=True) or {}
    title, body = data.get("title"), data.get("body", "")
    if not isinstance(title, str) or not title or not isinstance(body, str):
        abort(400)
    return data, title, body


@app.get("/notes")
@login_required
def list_notes():
    owner = request.args.get("owner", g.user)
    with database() as db:
        rows = db.execute("SELECT * FROM notes WHERE owner = ? ORDER BY id", (owner,)).fetchall()
    return [dict(row) for row in rows]


@app.post("/notes")
@login_required
def create_note():
    data, title, body = note_fields()
    owner = data.get("owner", g.user)
    with database() as db:
        cursor = db.execute(
            "INSERT INTO notes (owner, title, body) VALUES (?, ?, ?)", (owner, title, body)
        )
        row = db.execute("SELECT * FROM notes WHERE id = ?", (cursor.lastrowid,)).fetchone()
    return dict(row), 201


@app.get("/notes/<int:note_id>")
@login_required
def read_note(note_id):
    with database() as db:
        row = db.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
    if row is None:
        abort(404)
    return dict(row)


@app.put("/notes/<int:note_id>")
@login_required
def update_note(note_id):
    _, title, body = note_fields()
    with database() as db:
        db.execute("UPDATE notes SET title = ?, body = ? WHERE id = ?", (title, body, note_id))
        row = db.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
    if row is None:
        abort(404)
    return dict(row)


@app.delete("/notes/<int:note_id>")
@login_required
def delete_note(note_id):
    with database() as db:
        deleted = db.execute("DELETE FROM notes WHERE id = ?", (note_id,)).rowcount
    if not deleted:
        abort(404)
    return "", 204
