import app


def json_body(response):
    try:
        return response.json()
    except ValueError:
        return None


def test_not_found_content_type_is_json(client):
    response = client.get("/products/4040")
    assert response.status_code == 404
    assert response.headers.get("content-type", "").startswith("application/json")


def test_not_found_message_mentions_id(client):
    response = client.get("/products/31337")
    message = (json_body(response) or {}).get("error", {}).get("message", "")
    assert "31337" in message


def test_non_integer_id_is_json_404(client):
    for path in ("/products/abc", "/products/1.5", "/no-such-page"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers.get("content-type", "").startswith("application/json"), path
        error = (json_body(response) or {}).get("error", {})
        assert isinstance(error.get("code"), str) and error["code"], path
        assert isinstance(error.get("message"), str) and error["message"], path


def test_product_added_later_is_found(client, monkeypatch):
    # A new PRODUCTS list, with one product more, in the process that serves the app.
    webcam = {"id": 77, "name": "Webcam", "price": 59.5}
    monkeypatch.setattr(app, "PRODUCTS", [*app.PRODUCTS, webcam])
    response = client.get("/products/77")
    assert response.status_code == 200
    assert json_body(response) == webcam


def test_post_to_product_is_not_allowed(client):
    response = client.post("/products/1")
    assert response.status_code == 405
