import pytest

import app as app_module


def add_products(client, count):
    return [
        client.post("/products", json={"name": f"Item {n}", "price": n + 1}).json()["id"]
        for n in range(count)
    ]


def total(client):
    return client.get("/products", params={"per_page": 1}).json()["total"]


def test_last_page_and_past_the_end(client):
    before = total(client)
    ids = add_products(client, 5)
    count = total(client)
    assert count == before + 5
    last_page = (count + 1) // 2
    last = client.get(f"/products?page={last_page}&per_page=2")
    assert last.status_code == 200
    body = last.json()
    on_last_page = count - (last_page - 1) * 2
    assert [p["id"] for p in body["items"]] == ids[-on_last_page:]
    assert body["total"] == count
    beyond = client.get(f"/products?page={last_page + 1}&per_page=2")
    assert beyond.status_code == 200
    assert beyond.json()["items"] == [] and beyond.json()["total"] == count
    default = client.get("/products").json()
    assert (default["page"], default["per_page"], len(default["items"])) == (1, 10, min(count, 10))


@pytest.mark.parametrize("query", ["page=0", "page=-1", "per_page=0", "per_page=101", "page=abc"])
def test_pagination_bounds_are_422(client, query):
    assert client.get(f"/products?{query}").status_code == 422
    assert client.get("/products?per_page=100").status_code == 200


def test_invalid_input_is_422_and_changes_nothing(client):
    product_id = add_products(client, 1)[0]
    before = client.get(f"/products/{product_id}").json()
    count = total(client)
    for bad in (
        {"name": "", "price": 3},
        {"name": "Ok", "price": -1},
        {"name": "Ok"},
        {"name": "Ok", "price": "x"},
    ):
        assert client.post("/products", json=bad).status_code == 422, bad
        assert client.put(f"/products/{product_id}", json=bad).status_code == 422, bad
    assert client.get(f"/products/{product_id}").json() == before
    assert total(client) == count
    assert client.put("/products/999999", json={"name": "Ghost", "price": 1}).status_code == 404


def test_unknown_ids_are_json_404(client):
    for response in (client.get("/products/424242"), client.delete("/products/424242")):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
    product_id = add_products(client, 1)[0]
    assert client.delete(f"/products/{product_id}").content == b""
    assert client.delete(f"/products/{product_id}").status_code == 404


def test_changes_are_really_in_the_database(client):
    kept, changed, deleted = add_products(client, 3)
    client.put(f"/products/{changed}", json={"name": "Renamed", "price": 12.5})
    client.delete(f"/products/{deleted}")
    # A connection of our own to the file the server uses: a new engine, made
    # (in the process that serves the app) with app.py's create_engine.
    engine = app_module.create_engine(app_module.DATABASE_URL)
    try:
        with engine.connect() as connection:
            result = connection.exec_driver_sql(
                "SELECT id, name, price FROM products WHERE id IN (?, ?, ?) ORDER BY id",
                (kept, changed, deleted),
            )
            rows = [tuple(row) for row in result]
    finally:
        engine.dispose()
    assert rows == [(kept, "Item 0", 1.0), (changed, "Renamed", 12.5)]
