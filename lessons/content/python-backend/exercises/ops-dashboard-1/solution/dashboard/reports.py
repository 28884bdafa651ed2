"""The daily report: orders and revenue per day, computed by the database."""

import re
import sqlite3
from datetime import date, timedelta

MAX_DAYS = 92
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ReportError(ValueError):
    """A date range the report refuses; its message is shown to the client."""


def parse_range(args) -> tuple[date, date]:
    """Read ?start=YYYY-MM-DD&end=YYYY-MM-DD, both days included."""
    days = []
    for name in ("start", "end"):
        value = args.get(name, "")
        if not _DATE.fullmatch(value):
            raise ReportError(f"{name} must be a date as YYYY-MM-DD")
        try:
            days.append(date.fromisoformat(value))
        except ValueError:
            raise ReportError(f"{name} is not a real date") from None
    start, end = days
    if end < start:
        raise ReportError("end is before start")
    if (end - start).days + 1 > MAX_DAYS:
        raise ReportError(f"the range is longer than {MAX_DAYS} days")
    return start, end


def daily_report(connection: sqlite3.Connection, start: date, end: date) -> dict:
    rows = connection.execute(
        """
        SELECT date(created_at) AS day,
               COUNT(*) AS orders,
               COALESCE(SUM(CASE WHEN status = 'paid' THEN amount_cents END), 0) AS revenue_cents,
               COALESCE(SUM(CASE WHEN status = 'refunded' THEN amount_cents END), 0)
                   AS refunded_cents
        FROM orders
        WHERE created_at >= ? AND created_at < ?
        GROUP BY day
        ORDER BY day
        """,
        (start.isoformat(), (end + timedelta(days=1)).isoformat()),
    ).fetchall()
    days = [dict(row) for row in rows]
    total = {
        key: sum(day[key] for day in days) for key in ("orders", "revenue_cents", "refunded_cents")
    }
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "days": days,
        "total": total,
    }
