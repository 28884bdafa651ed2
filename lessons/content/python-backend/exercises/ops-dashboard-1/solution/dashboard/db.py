"""The database layer (written for you): one SQLite file, a connection per request.

Every SQL statement run on a connection from `connect()` is counted, so that a
test can tell whether a request touched the database: `query_count()`.
"""

import os
import sqlite3
import tempfile
import threading

from flask import current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    customer TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    status TEXT NOT NULL DEFAULT 'paid' CHECK (status IN ('paid', 'refunded')),
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_created_at ON orders (created_at);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS emails (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL
);
"""

DATABASE = ""
_lock = threading.Lock()
_queries = 0


def _count(statement: str) -> None:
    global _queries
    with _lock:
        _queries += 1


def query_count() -> int:
    """How many SQL statements have run so far, on every connection."""
    return _queries


def default_path() -> str:
    return os.environ.get("DASHBOARD_DB") or os.path.join(
        tempfile.mkdtemp(prefix="dashboard-"), "dashboard.db"
    )


def connect(path: str | None = None) -> sqlite3.Connection:
    connection = sqlite3.connect(path or DATABASE, timeout=5)
    connection.row_factory = sqlite3.Row
    connection.set_trace_callback(_count)
    return connection


def init_db(path: str) -> None:
    global DATABASE
    DATABASE = path
    connection = connect(path)
    try:
        connection.executescript(SCHEMA)
        connection.commit()
    finally:
        connection.close()


def get_db() -> sqlite3.Connection:
    """The request's connection, opened on first use and closed after the request."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exception: BaseException | None = None) -> None:
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def fetch_all(sql: str, params: tuple = ()) -> list[tuple]:
    """Run one statement in a transaction of its own and return its rows (for tests)."""
    connection = connect()
    try:
        with connection:
            return [tuple(row) for row in connection.execute(sql, params)]
    finally:
        connection.close()
