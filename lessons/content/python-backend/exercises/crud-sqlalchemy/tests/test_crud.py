import pytest
from fastapi.testclient import TestClient

from app import create_app


@pytest.fixture
def client(tmp_path):
    # Every test gets its own, empty SQLite database file.
    app = create_app(f"sqlite:///{tmp_path / 'products.db'}")
    with TestClient(app) as client:
        yield client


def test_create_then_get_product(client):
    response = client.post("/products", json={"name": "Laptop", "price": 999.99})
    assert response.status_code == 201, f"POST /products returned {response.status_code}, not 201"
    created = response.json()
    assert created["name"] == "Laptop" and created["price"] == 999.99, f"unexpected body {created!r}"

    fetched = client.get(f"/products/{created['id']}")
    assert fetched.status_code == 200, (
        f"POST returned id {created['id']}, but GET /products/{created['id']} answered "
        f"{fetched.status_code}: was the new row committed?"
    )
    assert fetched.json() == created


def test_list_is_paginated(client):
    for name in ("Laptop", "Phone", "Headphones"):
        client.post("/products", json={"name": name, "price": 10})
    first = client.get("/products", params={"page": 1, "per_page": 2}).json()
    assert isinstance(first, dict), f"GET /products should answer with an object, got {first!r}"
    assert [p["name"] for p in first.get("items", [])] == ["Laptop", "Phone"], (
        f"page 1 with per_page=2 should hold the first two products in id order, got {first!r}"
    )
    assert (first.get("total"), first.get("page"), first.get("per_page")) == (3, 1, 2), (
        f"expected total=3, page=1, per_page=2, got {first!r}"
    )
    second = client.get("/products", params={"page": 2, "per_page": 2}).json()
    assert [p["name"] for p in second["items"]] == ["Headphones"], f"page 2 should hold the rest, got {second!r}"


def test_update_product(client):
    product_id = client.post("/products", json={"name": "Mouse", "price": 20}).json()["id"]
    response = client.put(f"/products/{product_id}", json={"name": "Wireless mouse", "price": 35.5})
    assert response.status_code == 200, f"PUT /products/{product_id} returned {response.status_code}, not 200"
    expected = {"id": product_id, "name": "Wireless mouse", "price": 35.5}
    assert response.json() == expected, f"PUT should return the updated product, got {response.json()!r}"
    assert client.get(f"/products/{product_id}").json() == expected, "GET after PUT should show the new values"


def test_delete_product(client):
    product_id = client.post("/products", json={"name": "Cable", "price": 5}).json()["id"]
    response = client.delete(f"/products/{product_id}")
    assert response.status_code == 204, f"DELETE /products/{product_id} returned {response.status_code}, not 204"
    gone = client.get(f"/products/{product_id}")
    assert gone.status_code == 404, f"GET after DELETE returned {gone.status_code}, not 404"
