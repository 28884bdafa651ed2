"""The routes. Each one says which permission it needs; auth.require checks it."""

from datetime import datetime

from flask import Blueprint, request

from . import cache, refunds, reports
from .auth import current_user, require
from .db import get_db

bp = Blueprint("dashboard", __name__)

LIST_ORDERS = "SELECT id, customer, amount_cents, status, created_at FROM orders ORDER BY id"
GET_ORDER = "SELECT id, customer, amount_cents, status, created_at FROM orders WHERE id = ?"


@bp.get("/me")
def me():
    user = current_user()
    if user is None:
        return {"error": "authentication required"}, 401, {"WWW-Authenticate": "Token"}
    return user


@bp.get("/orders")
@require("orders:read")
def list_orders():
    rows = get_db().execute(LIST_ORDERS).fetchall()
    return {"orders": [dict(row) for row in rows]}


@bp.post("/orders")
@require("orders:create")
def create_order():
    data = request.get_json(silent=True) or {}
    customer = data.get("customer")
    amount = data.get("amount_cents")
    created_at = data.get("created_at") or datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    if not isinstance(customer, str) or "@" not in customer:
        return {"error": "customer must be an email address"}, 400
    if type(amount) is not int or amount <= 0:
        return {"error": "amount_cents must be a positive whole number"}, 400
    try:
        datetime.strptime(created_at, "%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return {"error": "created_at must be YYYY-MM-DD HH:MM:SS"}, 400
    db = get_db()
    with db:
        cursor = db.execute(
            "INSERT INTO orders (customer, amount_cents, created_at) VALUES (?, ?, ?)",
            (customer, amount, created_at),
        )
    cache.reports.clear()  # committed: a new order changes the report
    row = db.execute(GET_ORDER, (cursor.lastrowid,)).fetchone()
    return dict(row), 201


@bp.get("/reports/daily")
@require("reports:read")
def daily_report():
    try:
        start, end = reports.parse_range(request.args)
    except reports.ReportError as error:
        return {"error": str(error)}, 400
    key = ("daily", start.isoformat(), end.isoformat())
    report = cache.reports.get(key)
    if report is None:
        report = reports.daily_report(get_db(), start, end)
        cache.reports.set(key, report)
    return report


@bp.post("/orders/<int:order_id>/refund")
@require("orders:refund")
def refund_order(order_id: int):
    db = get_db()
    try:
        refunds.refund_order(db, order_id)
    except refunds.RefundError as error:
        return {"error": str(error)}, error.status
    row = db.execute(GET_ORDER, (order_id,)).fetchone()
    return dict(row)
