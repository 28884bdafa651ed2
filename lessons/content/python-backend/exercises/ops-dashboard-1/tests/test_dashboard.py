VIEWER = {"X-Token": "viewer-token"}
OPERATOR = {"X-Token": "operator-token"}
ADMIN = {"X-Token": "admin-token"}


def new_order(client, created_at, amount_cents=1000, customer="buyer@example.com"):
    response = client.post(
        "/orders",
        json={"customer": customer, "amount_cents": amount_cents, "created_at": created_at},
        headers=OPERATOR,
    )
    assert response.status_code == 201, f"an operator could not create an order: {response.text}"
    return response.json()


def test_me_says_who_you_are(client):
    assert client.get("/me", headers=VIEWER).json() == {"name": "vera", "role": "viewer"}
    assert client.get("/me").status_code == 401


def test_anonymous_requests_get_401(client):
    for method, path in [
        ("GET", "/orders"),
        ("GET", "/reports/daily?start=2030-01-01&end=2030-01-31"),
        ("POST", "/orders/1/refund"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 401, f"{method} {path} without X-Token should be 401"
        response = client.request(method, path, headers={"X-Token": "made-up"})
        assert response.status_code == 401, f"{method} {path} with an unknown token should be 401"


def test_a_viewer_lists_orders_but_not_the_report(client):
    assert client.get("/orders", headers=VIEWER).status_code == 200
    response = client.get("/reports/daily?start=2030-01-01&end=2030-01-31", headers=VIEWER)
    assert response.status_code == 403, "a viewer may not read the report: 403"


def test_an_operator_reads_the_daily_report(client):
    new_order(client, "2030-02-01 09:00:00", 1000)
    new_order(client, "2030-02-01 17:30:00", 2500)
    new_order(client, "2030-02-03 12:00:00", 700)
    response = client.get("/reports/daily?start=2030-02-01&end=2030-02-03", headers=OPERATOR)
    assert response.status_code == 200
    assert response.json() == {
        "start": "2030-02-01",
        "end": "2030-02-03",
        "days": [
            {"day": "2030-02-01", "orders": 2, "revenue_cents": 3500, "refunded_cents": 0},
            {"day": "2030-02-03", "orders": 1, "revenue_cents": 700, "refunded_cents": 0},
        ],
        "total": {"orders": 3, "revenue_cents": 4200, "refunded_cents": 0},
    }


def test_only_an_admin_refunds_an_order(client):
    order = new_order(client, "2030-03-01 10:00:00", 1200)
    path = f"/orders/{order['id']}/refund"
    assert client.post(path, headers=VIEWER).status_code == 403, "a viewer may not refund"
    assert client.post(path, headers=OPERATOR).status_code == 403, "an operator may not refund"
    response = client.post(path, headers=ADMIN)
    assert response.status_code == 200
    assert response.json()["status"] == "refunded"


def test_a_bad_range_is_400(client):
    for query in ["", "?start=2030-01-01", "?start=yesterday&end=2030-01-02"]:
        response = client.get(f"/reports/daily{query}", headers=OPERATOR)
        assert response.status_code == 400, f"/reports/daily{query} should be 400"
        assert "error" in response.json()
