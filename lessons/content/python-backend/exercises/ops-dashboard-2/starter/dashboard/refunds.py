"""Refunding an order."""

import sqlite3

# Tests set this to True to make a refund fail after its UPDATE has run.
FAIL_AFTER_UPDATE = False


class RefundError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def refund_order(connection: sqlite3.Connection, order_id: int) -> None:
    """Mark the order refunded and enqueue its email, both or neither."""
    with connection:  # commits at the end, rolls back if anything raises
        updated = connection.execute(
            "UPDATE orders SET status = 'refunded' WHERE id = ? AND status = 'paid'",
            (order_id,),
        ).rowcount
        if not updated:
            exists = connection.execute("SELECT 1 FROM orders WHERE id = ?", (order_id,)).fetchone()
            if exists is None:
                raise RefundError("no such order", 404)
            raise RefundError("the order is already refunded", 409)
        if FAIL_AFTER_UPDATE:
            raise RuntimeError("simulated failure after the UPDATE")
        # TODO: the customer gets an email about the refund, sent by a job
        # (jobs.py), and only if this transaction commits.
    # TODO: the report's numbers have changed.
