"""Background jobs: a table in the app's database, and a worker function.

enqueue() writes a job inside the caller's transaction (the outbox pattern), so
a job exists exactly when the change that asked for it was committed.
run_pending_jobs() is the worker: a cron job, a loop in a second process, or a test.
"""

import sqlite3
from collections.abc import Callable

HANDLERS: dict[str, Callable[[sqlite3.Connection, dict], None]] = {}


def handler(kind: str) -> Callable:
    def register(function: Callable) -> Callable:
        HANDLERS[kind] = function
        return function

    return register


def enqueue(connection: sqlite3.Connection, kind: str, payload: dict) -> None:
    """Add a job in the caller's transaction: it commits, or rolls back, with the change."""
    # TODO


def run_pending_jobs(limit: int = 100) -> int:
    """Run the pending jobs once each; return how many completed."""
    # TODO
    return 0


@handler("send_refund_email")
def send_refund_email(connection: sqlite3.Connection, payload: dict) -> None:
    """'Send' the refund email: record it in the emails table."""
    # TODO
