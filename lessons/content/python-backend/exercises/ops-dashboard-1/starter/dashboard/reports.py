"""The daily report: orders and revenue per day, computed by the database."""

import sqlite3
from datetime import date

MAX_DAYS = 92


class ReportError(ValueError):
    """A date range the report refuses; its message is shown to the client."""


def parse_range(args) -> tuple[date, date]:
    """Read ?start=YYYY-MM-DD&end=YYYY-MM-DD, both days included."""
    # TODO: validate, and raise ReportError with a message for a bad range.
    return date.fromisoformat(args["start"]), date.fromisoformat(args["end"])


def daily_report(connection: sqlite3.Connection, start: date, end: date) -> dict:
    # TODO: one query, grouped by day.
    total = {"orders": 0, "revenue_cents": 0, "refunded_cents": 0}
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "days": [],
        "total": total,
    }
