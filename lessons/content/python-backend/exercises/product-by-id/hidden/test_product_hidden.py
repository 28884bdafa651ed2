from app import PRODUCTS, app


def test_not_found_content_type_is_json():
    response = app.test_client().get("/products/4040")
    assert response.status_code == 404
    assert response.content_type.startswith("application/json")


def test_not_found_message_mentions_id():
    response = app.test_client().get("/products/31337")
    message = (response.get_json(silent=True) or {}).get("error", {}).get("message", "")
    assert "31337" in message


def test_non_integer_id_is_json_404():
    client = app.test_client()
    for path in ("/products/abc", "/products/1.5", "/no-such-page"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.content_type.startswith("application/json"), path
        error = (response.get_json(silent=True) or {}).get("error", {})
        assert isinstance(error.get("code"), str) and error["code"], path
        assert isinstance(error.get("message"), str) and error["message"], path


def test_product_added_later_is_found():
    PRODUCTS.append({"id": 77, "name": "Webcam", "price": 59.5})
    try:
        response = app.test_client().get("/products/77")
        assert response.status_code == 200
        assert response.get_json(silent=True) == {"id": 77, "name": "Webcam", "price": 59.5}
    finally:
        PRODUCTS.pop()


def test_post_to_product_is_not_allowed():
    response = app.test_client().post("/products/1")
    assert response.status_code == 405
