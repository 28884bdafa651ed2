from app import app


def test_products_content_type_is_json():
    response = app.test_client().get("/products")
    assert response.content_type == "application/json"


def test_every_product_has_id_name_and_price():
    for product in app.test_client().get("/products").get_json():
        assert set(product) == {"id", "name", "price"}
        assert isinstance(product["id"], int) and not isinstance(product["id"], bool)
        assert isinstance(product["name"], str) and product["name"]
        assert isinstance(product["price"], (int, float)) and product["price"] > 0


def test_products_are_in_id_order_and_stable():
    client = app.test_client()
    first = client.get("/products").get_json()
    ids = [product["id"] for product in first]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for _ in range(3):
        assert client.get("/products").get_json() == first


def test_post_products_is_not_allowed():
    response = app.test_client().post("/products", json={"name": "Mouse", "price": 19.99})
    assert response.status_code == 405
