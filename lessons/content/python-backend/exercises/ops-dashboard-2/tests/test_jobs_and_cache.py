import json
import uuid

import dashboard.refunds as refunds
from dashboard import db
from dashboard.jobs import run_pending_jobs

VIEWER = {"X-Token": "viewer-token"}
OPERATOR = {"X-Token": "operator-token"}
ADMIN = {"X-Token": "admin-token"}


def new_order(client, created_at, amount_cents=1000):
    customer = f"{uuid.uuid4().hex[:8]}@example.com"
    response = client.post(
        "/orders",
        json={"customer": customer, "amount_cents": amount_cents, "created_at": created_at},
        headers=OPERATOR,
    )
    assert response.status_code == 201, response.text
    return response.json()


def emails_to(customer):
    return db.fetch_all("SELECT subject FROM emails WHERE recipient = ?", (customer,))


def jobs_for(order_id):
    rows = db.fetch_all("SELECT kind, payload, status FROM jobs")
    return [
        (kind, status)
        for kind, payload, status in rows
        if json.loads(payload).get("order_id") == order_id
    ]


def test_permissions_still_hold(client):
    assert client.get("/orders").status_code == 401
    assert (
        client.get("/reports/daily?start=2030-01-01&end=2030-01-02", headers=VIEWER).status_code
        == 403
    )
    assert client.post("/orders/1/refund", headers=OPERATOR).status_code == 403


def test_a_refund_enqueues_a_job_and_the_worker_sends_the_email(client):
    order = new_order(client, "2040-01-01 10:00:00")
    assert client.post(f"/orders/{order['id']}/refund", headers=ADMIN).status_code == 200
    assert jobs_for(order["id"]) == [("send_refund_email", "pending")], (
        "the refund should leave one pending send_refund_email job with its order_id"
    )
    assert emails_to(order["customer"]) == [], "the request itself must not send the email"
    assert run_pending_jobs() >= 1
    assert len(emails_to(order["customer"])) == 1, "the worker should have sent one email"
    assert jobs_for(order["id"]) == [("send_refund_email", "done")]


def test_running_the_worker_twice_sends_one_email(client):
    order = new_order(client, "2040-01-02 10:00:00")
    client.post(f"/orders/{order['id']}/refund", headers=ADMIN)
    run_pending_jobs()
    assert run_pending_jobs() == 0, "a second run has nothing left to do"
    assert len(emails_to(order["customer"])) == 1


def test_a_refund_that_fails_after_the_update_enqueues_nothing(client, monkeypatch):
    order = new_order(client, "2040-01-03 10:00:00")
    monkeypatch.setattr(refunds, "FAIL_AFTER_UPDATE", True)
    response = client.post(f"/orders/{order['id']}/refund", headers=ADMIN)
    assert response.status_code == 500, "the refund should go through refunds.refund_order and fail"
    monkeypatch.undo()
    statuses = {o["id"]: o["status"] for o in client.get("/orders", headers=ADMIN).json()["orders"]}
    assert statuses[order["id"]] == "paid", "the failed refund must be rolled back"
    assert jobs_for(order["id"]) == [], "a rolled-back refund must not leave a job"
    run_pending_jobs()
    assert emails_to(order["customer"]) == [], "no email for a refund that did not happen"
    assert client.post(f"/orders/{order['id']}/refund", headers=ADMIN).status_code == 200
    assert jobs_for(order["id"]) == [("send_refund_email", "pending")]


def test_the_report_shows_a_refund_at_once(client):
    order = new_order(client, "2040-02-01 10:00:00", 5000)
    new_order(client, "2040-02-01 11:00:00", 700)
    url = "/reports/daily?start=2040-02-01&end=2040-02-01"
    assert client.get(url, headers=OPERATOR).json()["total"]["revenue_cents"] == 5700
    client.post(f"/orders/{order['id']}/refund", headers=ADMIN)
    total = client.get(url, headers=OPERATOR).json()["total"]
    assert total == {"orders": 2, "revenue_cents": 700, "refunded_cents": 5000}, (
        "the cached report was not invalidated by the refund"
    )


def test_a_second_report_does_not_touch_the_database(client):
    new_order(client, "2040-03-01 10:00:00", 900)
    url = "/reports/daily?start=2040-03-01&end=2040-03-31"
    first = client.get(url, headers=OPERATOR).json()
    before = db.query_count()
    second = client.get(url, headers=ADMIN)
    assert second.json() == first
    assert db.query_count() == before, "the second report ran SQL: it should come from the cache"
