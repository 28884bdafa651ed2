import pytest

VIEWER = {"X-Token": "viewer-token"}
OPERATOR = {"X-Token": "operator-token"}
ADMIN = {"X-Token": "admin-token"}
ROLES = {"anonymous": {}, "viewer": VIEWER, "operator": OPERATOR, "admin": ADMIN}


def new_order(client, created_at, amount_cents=1000):
    response = client.post(
        "/orders",
        json={
            "customer": "buyer@example.com",
            "amount_cents": amount_cents,
            "created_at": created_at,
        },
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_every_role_on_every_route(client):
    expected = {
        ("GET", "/orders"): {"anonymous": 401, "viewer": 200, "operator": 200, "admin": 200},
        ("POST", "/orders"): {"anonymous": 401, "viewer": 403, "operator": 201, "admin": 201},
        ("GET", "/reports/daily?start=2031-01-01&end=2031-01-31"): {
            "anonymous": 401,
            "viewer": 403,
            "operator": 200,
            "admin": 200,
        },
        ("POST", "/orders/{id}/refund"): {
            "anonymous": 401,
            "viewer": 403,
            "operator": 403,
            "admin": 200,
        },
    }
    wrong = []
    for (method, path), by_role in expected.items():
        for role, status in by_role.items():
            url = path.format(id=new_order(client, "2031-01-05 10:00:00")["id"])
            body = {
                "customer": "c@example.com",
                "amount_cents": 10,
                "created_at": "2031-01-06 10:00:00",
            }
            response = client.request(
                method, url, headers=ROLES[role], json=body if method == "POST" else None
            )
            if response.status_code != status:
                wrong.append(f"{role} {method} {url}: {response.status_code}, not {status}")
    assert not wrong, "\n".join(wrong)


def test_permissions_are_checked_before_anything_else(client):
    assert client.post("/orders/999999/refund", headers=VIEWER).status_code == 403
    assert client.post("/orders/999999/refund", headers=OPERATOR).status_code == 403
    assert client.post("/orders/999999/refund").status_code == 401
    assert client.get("/reports/daily?start=nope").status_code == 401
    assert client.get("/reports/daily?start=nope", headers=VIEWER).status_code == 403
    assert client.post("/orders", json={}, headers=VIEWER).status_code == 403
    response = client.post(
        "/orders", json={"customer": "x@example.com", "amount_cents": 5}, headers=VIEWER
    )
    assert response.status_code == 403
    orders = client.get("/orders", headers=VIEWER).json()["orders"]
    assert all(order["amount_cents"] != 5 for order in orders)


def test_the_report_groups_days_and_counts_refunds_apart(client):
    new_order(client, "2032-05-09 23:59:59", 111)  # before the range
    new_order(client, "2032-05-10 00:00:00", 1000)
    kept = new_order(client, "2032-05-10 12:00:00", 2000)
    refunded = new_order(client, "2032-05-10 18:00:00", 400)
    new_order(client, "2032-05-12 23:59:59", 300)  # the last day is included
    new_order(client, "2032-05-13 00:00:00", 222)  # after the range
    assert client.post(f"/orders/{refunded['id']}/refund", headers=ADMIN).status_code == 200
    assert kept["status"] == "paid"
    response = client.get("/reports/daily?start=2032-05-10&end=2032-05-12", headers=ADMIN)
    assert response.status_code == 200
    assert response.json()["days"] == [
        {"day": "2032-05-10", "orders": 3, "revenue_cents": 3000, "refunded_cents": 400},
        {"day": "2032-05-12", "orders": 1, "revenue_cents": 300, "refunded_cents": 0},
    ]
    assert response.json()["total"] == {"orders": 4, "revenue_cents": 3300, "refunded_cents": 400}
    empty = client.get("/reports/daily?start=2032-06-01&end=2032-06-30", headers=OPERATOR).json()
    assert empty["days"] == []
    assert empty["total"] == {"orders": 0, "revenue_cents": 0, "refunded_cents": 0}


@pytest.mark.parametrize(
    "query",
    [
        "?start=2030-02-30&end=2030-03-01",
        "?start=2030-3-1&end=2030-03-02",
        "?start=20300301&end=20300302",
        "?start=2030-03-05&end=2030-03-01",
        "?start=2030-01-01&end=2030-04-03",
        "?end=2030-03-01",
        "?start=2030-03-01&end=",
    ],
)
def test_bad_ranges_are_400_with_a_message(client, query):
    response = client.get(f"/reports/daily{query}", headers=OPERATOR)
    assert response.status_code == 400
    assert isinstance(response.json().get("error"), str)


def test_a_92_day_range_and_a_one_day_range_are_fine(client):
    assert (
        client.get("/reports/daily?start=2030-01-01&end=2030-04-02", headers=OPERATOR).status_code
        == 200
    )
    assert (
        client.get("/reports/daily?start=2030-01-01&end=2030-01-01", headers=OPERATOR).status_code
        == 200
    )


def test_the_report_is_one_query_not_one_per_day(client):
    from dashboard import db

    for day in range(1, 29):
        new_order(client, f"2033-02-{day:02d} 08:00:00", 100 + day)
    before = db.query_count()
    response = client.get("/reports/daily?start=2033-02-01&end=2033-02-28", headers=OPERATOR)
    used = db.query_count() - before
    assert response.status_code == 200
    assert len(response.json()["days"]) == 28
    assert response.json()["total"]["revenue_cents"] == sum(100 + day for day in range(1, 29))
    assert used <= 2, f"{used} statements for one report"


def test_refunds_are_404_for_no_order_and_409_the_second_time(client):
    order = new_order(client, "2034-01-01 10:00:00")
    path = f"/orders/{order['id']}/refund"
    assert client.post(path, headers=ADMIN).status_code == 200
    assert client.post(path, headers=ADMIN).status_code == 409
    assert client.post("/orders/987654/refund", headers=ADMIN).status_code == 404
