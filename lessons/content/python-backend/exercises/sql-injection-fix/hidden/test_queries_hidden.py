import pytest

import app
from app import find_user, search_products, update_email

SCHEMA = """
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
    (3, '100% cotton T-shirt', 19.0),
    (4, 'snake_case mug', 9.0),
    (5, 'Back\\slash poster', 5.0),
    (6, 'Sale: 50 percent off', 1.0);
"""

ORIGINAL_USERS = [
    (1, "alice", "alice@example.com", 1),
    (2, "bob", "bob@example.com", 0),
    (3, "O'Brien", "obrien@example.com", 0),
]


@pytest.fixture
def db():
    conn = app.sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    yield conn
    conn.close()


def users_now(conn):
    return conn.execute("SELECT id, username, email, is_admin FROM users ORDER BY id").fetchall()


def product_count(conn):
    return conn.execute("SELECT count(*) FROM products").fetchone()[0]


@pytest.mark.parametrize(
    "payload",
    [
        "' OR '1'='1",
        "' OR 1=1 --",
        "alice' --",
        "nobody' UNION SELECT id, password_hash, email FROM users --",
        "'; DROP TABLE users; --",
    ],
)
def test_injection_payloads_find_no_user(db, payload):
    assert find_user(db, payload) is None, f"find_user({payload!r}) matched a user"
    assert users_now(db) == ORIGINAL_USERS


@pytest.mark.parametrize(
    "payload",
    [
        "%' UNION SELECT id, username, password_hash FROM users --",
        "' UNION SELECT 1, sql, 0 FROM sqlite_master --",
        "'; DROP TABLE products; --",
    ],
)
def test_search_payloads_return_nothing_and_leak_nothing(db, payload):
    rows = search_products(db, payload)
    assert rows == [], f"search_products({payload!r}) returned {rows!r}"
    assert product_count(db) == 6
    assert users_now(db) == ORIGINAL_USERS


def test_update_email_payloads_cannot_touch_other_rows(db):
    comment_payload = "x@example.com' --"
    assert update_email(db, 2, comment_payload) == 1
    admin_payload = "x@example.com', is_admin = 1 WHERE id = 2 --"
    assert update_email(db, 2, admin_payload) == 1
    try:
        update_email(db, "2 OR 1=1", "evil@example.com")
    except (TypeError, ValueError):
        pass  # refusing a non-integer id is fine too
    assert users_now(db) == [
        (1, "alice", "alice@example.com", 1),
        (2, "bob", admin_payload, 0),
        (3, "O'Brien", "obrien@example.com", 0),
    ]


def test_search_treats_percent_underscore_and_backslash_literally(db):
    assert [r[0] for r in search_products(db, "%")] == [3]
    assert [r[0] for r in search_products(db, "_")] == [4]
    assert [r[0] for r in search_products(db, "\\")] == [5]
    assert [r[0] for r in search_products(db, "50%")] == []
    assert [r[0] for r in search_products(db, "LAPTOP")] == [1, 2]


def test_values_never_appear_in_the_sql_text(db):
    # sqlite3 refuses SQL text that contains a NUL character, while a bound
    # parameter may hold one: each call fails if its value is pasted into the
    # SQL, quotes escaped or not.
    assert find_user(db, "zz\x00marker") is None
    assert find_user(db, "O'Brien\x00'") is None
    assert search_products(db, "zz\x00marker") == []
    assert update_email(db, 1, "zz\x00marker@example.com") == 1
    assert users_now(db)[0] == (1, "alice", "zz\x00marker@example.com", 1)
