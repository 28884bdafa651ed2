# The grader serves your `app` with a real web server. `client` is an
# httpx.Client connected to it: client.get("/products/2") sends GET /products/2.


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 120 else response.text[:120] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def json_body(response):
    """The parsed JSON body, or None if the answer is not JSON."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def test_existing_product_is_returned(client):
    response = client.get("/products/2")
    assert response.status_code == 200, (
        f"GET /products/2 should answer 200, it answered {answered(response)}"
    )
    assert json_body(response) == {"id": 2, "name": "Smartphone", "price": 699.99}, (
        "GET /products/2 should return the product with id 2 as JSON, "
        f"it answered {answered(response)}"
    )


def test_unknown_product_is_404_with_error_code(client):
    response = client.get("/products/999")
    assert response.status_code == 404, (
        f"GET /products/999 should answer 404, it answered {answered(response)}"
    )
    body = json_body(response)
    assert body is not None, (
        f"the 404 answer should be JSON, not an HTML page: it was {answered(response)}"
    )
    assert isinstance(body.get("error"), dict), (
        f'the JSON body should look like {{"error": {{...}}}}, it was {body!r}'
    )
    assert body["error"].get("code") == "product_not_found", (
        f'error.code should be "product_not_found", got {body["error"].get("code")!r}'
    )
    assert isinstance(body["error"].get("message"), str), "error.message should be a string"
