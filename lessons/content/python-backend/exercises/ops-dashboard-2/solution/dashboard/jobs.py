"""Background jobs: a table in the app's database, and a worker function.

enqueue() writes a job inside the caller's transaction (the outbox pattern), so
a job exists exactly when the change that asked for it was committed.
run_pending_jobs() is the worker: a cron job, a loop in a second process, or a test.
"""

import json
import sqlite3
from collections.abc import Callable

from . import db

MAX_ATTEMPTS = 5
HANDLERS: dict[str, Callable[[sqlite3.Connection, dict], None]] = {}


def handler(kind: str) -> Callable:
    def register(function: Callable) -> Callable:
        HANDLERS[kind] = function
        return function

    return register


def enqueue(connection: sqlite3.Connection, kind: str, payload: dict) -> None:
    """Add a job in the caller's transaction: it commits, or rolls back, with the change."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    connection.execute(
        "INSERT INTO jobs (kind, payload) VALUES (?, ?)", (kind, json.dumps(payload))
    )


def run_pending_jobs(limit: int = 100) -> int:
    """Run the pending jobs once each; return how many completed."""
    connection = db.connect()
    completed = 0
    try:
        ids = [
            row["id"]
            for row in connection.execute(
                "SELECT id FROM jobs WHERE status = 'pending' ORDER BY id LIMIT ?",
                (limit,),
            )
        ]
        connection.commit()
        for job_id in ids:
            with connection:  # claim it: only one worker wins this UPDATE
                claimed = connection.execute(
                    "UPDATE jobs SET status = 'running', attempts = attempts + 1"
                    " WHERE id = ? AND status = 'pending'",
                    (job_id,),
                ).rowcount
            if not claimed:
                continue
            job = connection.execute(
                "SELECT kind, payload, attempts FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
            try:
                with connection:
                    HANDLERS[job["kind"]](connection, json.loads(job["payload"]))
                    connection.execute("UPDATE jobs SET status = 'done' WHERE id = ?", (job_id,))
            except Exception as error:  # one failing job must not stop the worker
                status = "failed" if job["attempts"] >= MAX_ATTEMPTS else "pending"
                with connection:
                    connection.execute(
                        "UPDATE jobs SET status = ?, last_error = ? WHERE id = ?",
                        (status, repr(error), job_id),
                    )
                continue
            completed += 1
    finally:
        connection.close()
    return completed


@handler("send_refund_email")
def send_refund_email(connection: sqlite3.Connection, payload: dict) -> None:
    """'Send' the refund email: record it once, whatever number of times the job runs."""
    order = connection.execute(
        "SELECT id, customer, amount_cents FROM orders WHERE id = ?",
        (payload["order_id"],),
    ).fetchone()
    if order is None:
        return
    connection.execute(
        "INSERT INTO emails (idempotency_key, recipient, subject) VALUES (?, ?, ?)"
        " ON CONFLICT (idempotency_key) DO NOTHING",
        (
            f"refund-email:{order['id']}",
            order["customer"],
            f"Your refund of {order['amount_cents'] / 100:.2f} for order {order['id']}",
        ),
    )
