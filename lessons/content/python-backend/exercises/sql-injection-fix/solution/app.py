"""Queries for a small shop. Every function receives an open sqlite3 connection.

The tables look like this:

    users(id INTEGER PRIMARY KEY, username TEXT UNIQUE, email TEXT,
          password_hash TEXT, is_admin INTEGER)
    products(id INTEGER PRIMARY KEY, name TEXT, price REAL)
"""

import sqlite3


def find_user(conn: sqlite3.Connection, username: str) -> tuple | None:
    """Return (id, username, email) of the user with exactly this username, or None."""
    sql = "SELECT id, username, email FROM users WHERE username = ?"
    return conn.execute(sql, (username,)).fetchone()


def _like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, with its own % and _ taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_products(conn: sqlite3.Connection, term: str) -> list[tuple]:
    """Return (id, name, price) of every product whose name contains `term`.

    The match ignores upper/lower case; results are ordered by id.
    """
    sql = "SELECT id, name, price FROM products WHERE name LIKE ? ESCAPE '\\' ORDER BY id"
    return conn.execute(sql, (_like_pattern(term),)).fetchall()


def update_email(conn: sqlite3.Connection, user_id: int, email: str) -> int:
    """Change one user's email address and return the number of rows changed."""
    sql = "UPDATE users SET email = ? WHERE id = ?"
    with conn:  # commits on success, rolls back on an exception
        cursor = conn.execute(sql, (email, user_id))
    return cursor.rowcount
