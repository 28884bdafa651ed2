import pytest

import app
from app import find_user, search_products, update_email


@pytest.fixture
def db():
    # Your functions run in a process of their own, so the connection is opened
    # there, with the sqlite3 module app.py imports; `conn` here is a handle to it.
    conn = app.sqlite3.connect(":memory:")
    conn.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT UNIQUE NOT NULL,
            email TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            is_admin INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL);
        INSERT INTO users VALUES
            (1, 'alice', 'alice@example.com', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', 1),
            (2, 'bob', 'bob@example.com', '$argon2id$v=19$m=65536,t=3,p=4$cGVwcGVy$b3RoZXI', 0),
            (3, 'O''Brien', 'obrien@example.com', '$argon2id$v=19$m=65536,t=3,p=4$c2VhJTE$dGhpcmQ', 0);
        INSERT INTO products VALUES
            (1, 'Laptop', 999.0),
            (2, 'Laptop stand', 49.5),
            (3, 'Headphones', 149.0),
            (4, 'Kids'' lunchbox', 12.0);
        """
    )
    yield conn
    conn.close()


def test_find_user_returns_the_matching_row(db):
    assert find_user(db, "bob") == (2, "bob", "bob@example.com")
    assert find_user(db, "nobody") is None, "an unknown username should give None"


def test_find_user_works_for_names_with_an_apostrophe(db):
    # A real name, not an attack: the query must treat the quote as part of the name.
    assert find_user(db, "O'Brien") == (3, "O'Brien", "obrien@example.com")


def test_search_products_matches_part_of_the_name(db):
    assert search_products(db, "lap") == [(1, "Laptop", 999.0), (2, "Laptop stand", 49.5)]
    assert search_products(db, "kids'") == [(4, "Kids' lunchbox", 12.0)]
    assert search_products(db, "toaster") == []


def test_update_email_changes_exactly_one_user(db):
    assert update_email(db, 2, "bob.smith@example.com") == 1
    assert not db.in_transaction, "update_email should commit its change"
    emails = dict(db.execute("SELECT id, email FROM users").fetchall())
    assert emails == {
        1: "alice@example.com",
        2: "bob.smith@example.com",
        3: "obrien@example.com",
    }
