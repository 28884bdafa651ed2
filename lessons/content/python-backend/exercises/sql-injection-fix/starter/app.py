"""Queries for a small shop. Every function receives an open sqlite3 connection.

The tables look like this:

    users(id INTEGER PRIMARY KEY, username TEXT UNIQUE, email TEXT,
          password_hash TEXT, is_admin INTEGER)
    products(id INTEGER PRIMARY KEY, name TEXT, price REAL)
"""

import sqlite3


def find_user(conn: sqlite3.Connection, username: str) -> tuple | None:
    """Return (id, username, email) of the user with exactly this username, or None."""
    sql = f"SELECT id, username, email FROM users WHERE username = '{username}'"
    return conn.execute(sql).fetchone()


def search_products(conn: sqlite3.Connection, term: str) -> list[tuple]:
    """Return (id, name, price) of every product whose name contains `term`.

    The match ignores upper/lower case; results are ordered by id.
    """
    sql = f"SELECT id, name, price FROM products WHERE name LIKE '%{term}%' ORDER BY id"
    return conn.execute(sql).fetchall()


def update_email(conn: sqlite3.Connection, user_id: int, email: str) -> int:
    """Change one user's email address and return the number of rows changed."""
    sql = f"UPDATE users SET email = '{email}' WHERE id = {user_id}"
    cursor = conn.execute(sql)
    conn.commit()
    return cursor.rowcount
