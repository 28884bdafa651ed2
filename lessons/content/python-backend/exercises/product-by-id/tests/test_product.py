from app import app


def test_existing_product_is_returned():
    response = app.test_client().get("/products/2")
    assert response.status_code == 200, f"GET /products/2 returned {response.status_code}, not 200"
    assert response.get_json(silent=True) == {"id": 2, "name": "Smartphone", "price": 699.99}, (
        "GET /products/2 should return the product with id 2 as JSON"
    )


def test_unknown_product_is_404_with_error_code():
    response = app.test_client().get("/products/999")
    assert response.status_code == 404, f"GET /products/999 returned {response.status_code}, not 404"
    body = response.get_json(silent=True)
    assert body is not None, "the 404 response should have a JSON body, not an HTML page"
    assert isinstance(body.get("error"), dict), 'the JSON body should look like {"error": {...}}'
    assert body["error"].get("code") == "product_not_found", (
        f'error.code should be "product_not_found", got {body["error"].get("code")!r}'
    )
    assert isinstance(body["error"].get("message"), str), "error.message should be a string"
