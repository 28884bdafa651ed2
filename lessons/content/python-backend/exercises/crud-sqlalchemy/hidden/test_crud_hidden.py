import sqlite3

import pytest
from fastapi.testclient import TestClient

from app import create_app


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "hidden.db"


@pytest.fixture
def client(db_path):
    with TestClient(create_app(f"sqlite:///{db_path}")) as client:
        yield client


def add_products(client, count):
    return [client.post("/products", json={"name": f"Item {n}", "price": n + 1}).json()["id"] for n in range(count)]


def test_last_page_and_past_the_end(client):
    ids = add_products(client, 5)
    last = client.get("/products?page=3&per_page=2")
    assert last.status_code == 200
    body = last.json()
    assert [p["id"] for p in body["items"]] == ids[4:]
    assert body["total"] == 5
    beyond = client.get("/products?page=4&per_page=2")
    assert beyond.status_code == 200
    assert beyond.json()["items"] == [] and beyond.json()["total"] == 5
    default = client.get("/products").json()
    assert (default["page"], default["per_page"], len(default["items"])) == (1, 10, 5)


@pytest.mark.parametrize(
    "query", ["page=0", "page=-1", "per_page=0", "per_page=101", "page=abc"]
)
def test_pagination_bounds_are_422(client, query):
    assert client.get(f"/products?{query}").status_code == 422
    assert client.get("/products?per_page=100").status_code == 200


def test_invalid_input_is_422_and_changes_nothing(client):
    product_id = add_products(client, 1)[0]
    before = client.get(f"/products/{product_id}").json()
    for bad in ({"name": "", "price": 3}, {"name": "Ok", "price": -1}, {"name": "Ok"}, {"name": "Ok", "price": "x"}):
        assert client.post("/products", json=bad).status_code == 422, bad
        assert client.put(f"/products/{product_id}", json=bad).status_code == 422, bad
    assert client.get(f"/products/{product_id}").json() == before
    assert client.get("/products").json()["total"] == 1
    assert client.put("/products/9999", json={"name": "Ghost", "price": 1}).status_code == 404


def test_unknown_ids_are_json_404(client):
    for response in (client.get("/products/424242"), client.delete("/products/424242")):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
    product_id = add_products(client, 1)[0]
    assert client.delete(f"/products/{product_id}").content == b""
    assert client.delete(f"/products/{product_id}").status_code == 404


def test_changes_are_really_in_the_database(client, db_path):
    kept, changed, deleted = add_products(client, 3)
    client.put(f"/products/{changed}", json={"name": "Renamed", "price": 12.5})
    client.delete(f"/products/{deleted}")
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute("SELECT id, name, price FROM products ORDER BY id").fetchall()
    assert rows == [(kept, "Item 0", 1.0), (changed, "Renamed", 12.5)]
    with TestClient(create_app(f"sqlite:///{db_path}")) as fresh:
        assert fresh.get(f"/products/{changed}").json()["name"] == "Renamed"
