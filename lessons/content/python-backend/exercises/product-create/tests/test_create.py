# The grader serves your `app` with Uvicorn. `client` is an httpx.Client
# connected to it: client.post("/products", json={...}) sends a JSON body.
# Every test talks to the same running server, so products created by one
# test are still there in the next.


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 120 else response.text[:120] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def test_create_returns_201_with_new_product(client):
    response = client.post("/products", json={"name": "Desk lamp", "price": 24.5})
    assert response.status_code == 201, (
        f"POST /products should answer 201, it answered {answered(response)}"
    )
    body = response.json()
    assert isinstance(body.get("id"), int), f"the created product needs an integer id, got {body!r}"
    assert body["name"] == "Desk lamp" and body["price"] == 24.5, f"unexpected body {body!r}"
    location = response.headers.get("location", "")
    assert location.endswith(f"/products/{body['id']}"), (
        f"the Location header should point at /products/{body['id']}, got {location!r}"
    )


def test_created_product_appears_in_list(client):
    created = client.post("/products", json={"name": "Keyboard", "price": 49}).json()
    assert "id" in created, f"POST /products should return the product with its id, got {created!r}"
    listed = client.get("/products").json()["products"]
    assert created in listed, "the new product should be in the list that GET /products returns"


def test_zero_price_is_422_naming_the_field(client):
    response = client.post("/products", json={"name": "Freebie", "price": 0})
    assert response.status_code == 422, f"a price of 0 should get 422, it got {answered(response)}"
    fields = [error["loc"][-1] for error in response.json().get("detail", [])]
    assert "price" in fields, (
        f"the error details should name the price field, they named {fields!r}"
    )
