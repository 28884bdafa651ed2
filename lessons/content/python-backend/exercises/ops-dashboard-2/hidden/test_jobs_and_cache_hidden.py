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


def job_ids_for(order_id):
    rows = db.fetch_all("SELECT id, payload FROM jobs")
    return [job_id for job_id, payload in rows if json.loads(payload).get("order_id") == order_id]


def test_a_job_delivered_twice_sends_one_email(client):
    order = new_order(client, "2041-01-01 10:00:00")
    assert client.post(f"/orders/{order['id']}/refund", headers=ADMIN).status_code == 200
    run_pending_jobs()
    [job_id] = job_ids_for(order["id"])
    # A worker that sent the email and died before marking the job done.
    db.fetch_all("UPDATE jobs SET status = 'pending' WHERE id = ?", (job_id,))
    # And the same job delivered a second time.
    db.fetch_all(
        "INSERT INTO jobs (kind, payload) VALUES ('send_refund_email', ?)",
        (json.dumps({"order_id": order["id"]}),),
    )
    assert run_pending_jobs() == 2, "both deliveries should complete, not fail"
    assert len(emails_to(order["customer"])) == 1


def test_the_worker_counts_the_jobs_it_completed(client):
    run_pending_jobs()
    first = new_order(client, "2041-02-01 10:00:00")
    second = new_order(client, "2041-02-01 11:00:00")
    client.post(f"/orders/{first['id']}/refund", headers=ADMIN)
    client.post(f"/orders/{second['id']}/refund", headers=ADMIN)
    assert run_pending_jobs() == 2
    assert run_pending_jobs() == 0
    assert len(emails_to(first["customer"])) == 1
    assert len(emails_to(second["customer"])) == 1


def test_a_failed_refund_changes_nothing(client, monkeypatch):
    order = new_order(client, "2041-03-01 10:00:00", 4000)
    url = "/reports/daily?start=2041-03-01&end=2041-03-01"
    before = client.get(url, headers=OPERATOR).json()
    monkeypatch.setattr(refunds, "FAIL_AFTER_UPDATE", True)
    assert client.post(f"/orders/{order['id']}/refund", headers=ADMIN).status_code == 500
    monkeypatch.undo()
    assert client.get(url, headers=OPERATOR).json() == before
    assert job_ids_for(order["id"]) == []
    run_pending_jobs()
    assert emails_to(order["customer"]) == []
    # The same refund, allowed to succeed: one job, and the report shows it at once.
    assert client.post(f"/orders/{order['id']}/refund", headers=ADMIN).status_code == 200
    assert len(job_ids_for(order["id"])) == 1
    assert client.get(url, headers=OPERATOR).json()["total"]["refunded_cents"] == 4000


def test_each_range_is_cached_apart(client):
    new_order(client, "2041-04-01 10:00:00", 100)
    new_order(client, "2041-04-02 10:00:00", 200)
    one = "/reports/daily?start=2041-04-01&end=2041-04-01"
    two = "/reports/daily?start=2041-04-01&end=2041-04-02"
    assert client.get(one, headers=OPERATOR).json()["total"]["revenue_cents"] == 100
    assert client.get(two, headers=OPERATOR).json()["total"]["revenue_cents"] == 300
    before = db.query_count()
    assert client.get(one, headers=ADMIN).json()["total"]["revenue_cents"] == 100
    assert client.get(two, headers=ADMIN).json()["total"]["revenue_cents"] == 300
    assert db.query_count() == before


def test_a_new_order_invalidates_the_report(client):
    new_order(client, "2041-05-01 10:00:00", 100)
    url = "/reports/daily?start=2041-05-01&end=2041-05-31"
    assert client.get(url, headers=OPERATOR).json()["total"]["orders"] == 1
    new_order(client, "2041-05-20 10:00:00", 250)
    total = client.get(url, headers=OPERATOR).json()["total"]
    assert total == {"orders": 2, "revenue_cents": 350, "refunded_cents": 0}


def test_the_cache_does_not_skip_the_permission_check(client):
    url = "/reports/daily?start=2041-06-01&end=2041-06-30"
    assert client.get(url, headers=ADMIN).status_code == 200
    assert client.get(url, headers=VIEWER).status_code == 403
    assert client.get(url).status_code == 401


def test_a_report_with_a_cold_cache_is_still_one_query(client):
    for day in range(1, 11):
        new_order(client, f"2041-07-{day:02d} 10:00:00", 10)
    before = db.query_count()
    response = client.get("/reports/daily?start=2041-07-01&end=2041-07-31", headers=OPERATOR)
    assert response.json()["total"]["revenue_cents"] == 100
    assert db.query_count() - before <= 2


def test_refunds_still_answer_404_and_409(client):
    order = new_order(client, "2041-08-01 10:00:00")
    path = f"/orders/{order['id']}/refund"
    assert client.post(path, headers=ADMIN).status_code == 200
    assert client.post(path, headers=ADMIN).status_code == 409
    assert client.post("/orders/987654/refund", headers=ADMIN).status_code == 404
    assert len(job_ids_for(order["id"])) == 1, "a refused second refund must not enqueue a job"
