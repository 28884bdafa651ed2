def test_products_content_type_is_json(client):
    response = client.get("/products")
    assert response.headers.get("content-type") == "application/json", response.headers


def test_every_product_has_id_name_and_price(client):
    for product in client.get("/products").json():
        assert set(product) == {"id", "name", "price"}
        assert isinstance(product["id"], int) and not isinstance(product["id"], bool)
        assert isinstance(product["name"], str) and product["name"]
        assert isinstance(product["price"], (int, float)) and product["price"] > 0


def test_products_are_in_id_order_and_stable(client):
    first = client.get("/products").json()
    ids = [product["id"] for product in first]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for _ in range(3):
        assert client.get("/products").json() == first


def test_post_products_is_not_allowed(client):
    response = client.post("/products", json={"name": "Mouse", "price": 19.99})
    assert response.status_code == 405, response.status_code
