# The grader serves `app` with Uvicorn, and `client` is an httpx.Client
# connected to it. Every test talks to the same server and the same database,
# which is not emptied between tests: each test creates its own products.


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 160 else response.text[:160] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def test_create_then_get_product(client):
    response = client.post("/products", json={"name": "Laptop", "price": 999.99})
    assert response.status_code == 201, (
        f"POST /products should answer 201, it answered {answered(response)}"
    )
    created = response.json()
    assert created["name"] == "Laptop" and created["price"] == 999.99, (
        f"unexpected body {created!r}"
    )

    fetched = client.get(f"/products/{created['id']}")
    assert fetched.status_code == 200, (
        f"POST returned id {created['id']}, but GET /products/{created['id']} answered "
        f"{answered(fetched)}: was the new row committed?"
    )
    assert fetched.json() == created


def test_list_is_paginated(client):
    for name in ("Laptop", "Phone", "Headphones"):
        client.post("/products", json={"name": name, "price": 10})
    response = client.get("/products", params={"page": 1, "per_page": 2})
    first = response.json()
    assert isinstance(first, dict), (
        f"GET /products should answer with an object, it answered {answered(response)}"
    )
    total = first.get("total")
    assert isinstance(total, int) and total >= 3, (
        f"total should count every product, at least the 3 just created, got {first!r}"
    )
    assert (first.get("page"), first.get("per_page")) == (1, 2), (
        f"expected page=1 and per_page=2, got {first!r}"
    )
    ids = [p["id"] for p in first.get("items", [])]
    assert len(ids) == 2 and ids == sorted(ids), (
        f"page 1 with per_page=2 should hold two products in id order, got {first!r}"
    )
    # New products get the highest ids, so with one product per page the three
    # just created are on the last three pages, in the order they were created.
    last_three = [
        client.get("/products", params={"page": page, "per_page": 1}).json()["items"]
        for page in (total - 2, total - 1, total)
    ]
    names = [[p["name"] for p in items] for items in last_three]
    assert names == [["Laptop"], ["Phone"], ["Headphones"]], (
        f"with per_page=1, pages {total - 2} to {total} of {total} should hold "
        f"the 3 newest products, got {names!r}"
    )


def test_update_product(client):
    product_id = client.post("/products", json={"name": "Mouse", "price": 20}).json()["id"]
    response = client.put(f"/products/{product_id}", json={"name": "Wireless mouse", "price": 35.5})
    assert response.status_code == 200, (
        f"PUT /products/{product_id} should answer 200, it answered {answered(response)}"
    )
    expected = {"id": product_id, "name": "Wireless mouse", "price": 35.5}
    assert response.json() == expected, (
        f"PUT should return the updated product, got {response.json()!r}"
    )
    assert client.get(f"/products/{product_id}").json() == expected, (
        "GET after PUT should show the new values"
    )


def test_delete_product(client):
    product_id = client.post("/products", json={"name": "Cable", "price": 5}).json()["id"]
    response = client.delete(f"/products/{product_id}")
    assert response.status_code == 204, (
        f"DELETE /products/{product_id} should answer 204, it answered {answered(response)}"
    )
    gone = client.get(f"/products/{product_id}")
    assert gone.status_code == 404, (
        f"GET after DELETE should answer 404, it answered {answered(gone)}"
    )
