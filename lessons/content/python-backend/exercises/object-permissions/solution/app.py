"""Private notes: every user keeps their own, and nobody else can tell they exist."""

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
    return title, body


def own_note_or_404(db, note_id):
    """The note with this id if it belongs to the user; otherwise 404, exactly as
    for an id that does not exist, so nobody learns that someone else's note does."""
    row = db.execute("SELECT * FROM notes WHERE id = ? AND owner = ?", (note_id, g.user)).fetchone()
    if row is None:
        abort(404)
    return row


# Every query names the owner, and the owner is always g.user: who the request
# is from, never what the request says.


@app.get("/notes")
@login_required
def list_notes():
    with database() as db:
        rows = db.execute("SELECT * FROM notes WHERE owner = ? ORDER BY id", (g.user,)).fetchall()
    return [dict(row) for row in rows]


@app.post("/notes")
@login_required
def create_note():
    title, body = note_fields()
    with database() as db:
        cursor = db.execute(
            "INSERT INTO notes (owner, title, body) VALUES (?, ?, ?)", (g.user, title, body)
        )
        row = own_note_or_404(db, cursor.lastrowid)
    return dict(row), 201


@app.get("/notes/<int:note_id>")
@login_required
def read_note(note_id):
    with database() as db:
        return dict(own_note_or_404(db, note_id))


@app.put("/notes/<int:note_id>")
@login_required
def update_note(note_id):
    title, body = note_fields()
    with database() as db:
        # The owner is in the WHERE clause of the write itself, not only in a check
        # before it.
        db.execute(
            "UPDATE notes SET title = ?, body = ? WHERE id = ? AND owner = ?",
            (title, body, note_id, g.user),
        )
        return dict(own_note_or_404(db, note_id))


@app.delete("/notes/<int:note_id>")
@login_required
def delete_note(note_id):
    with database() as db:
        deleted = db.execute(
            "DELETE FROM notes WHERE id = ? AND owner = ?", (note_id, g.user)
        ).rowcount
    if not deleted:
        abort(404)
    return "", 204
