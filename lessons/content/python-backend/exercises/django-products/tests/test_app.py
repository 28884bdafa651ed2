# The grader serves `application` from app.py with a real WSGI server.
# `client` is an httpx.Client connected to it: client.get("/hello") sends
# GET /hello with the host name "testserver".

EXPECTED_PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
    {"id": 3, "name": "Headphones", "price": 149.99},
]


def answered(response):
    """What the app sent back, in a few words: status, content type, start of the body."""
    body = response.text if len(response.text) <= 120 else response.text[:120] + "..."
    content_type = response.headers.get("content-type", "no content type")
    return f"status {response.status_code}, {content_type}, body {body!r}"


def test_hello_returns_message(client):
    response = client.get("/hello")
    assert response.status_code == 200, (
        f"GET /hello should answer 200, it answered {answered(response)}"
    )
    assert response.json() == {"message": "Hello, World!"}, (
        f"GET /hello answered {answered(response)}"
    )


def test_products_returns_200(client):
    response = client.get("/products")
    assert response.status_code == 200, (
        f"GET /products should answer 200, it answered {answered(response)}"
    )


def test_products_returns_the_catalogue(client):
    response = client.get("/products")
    assert response.status_code == 200, (
        f"GET /products should answer 200, it answered {answered(response)}"
    )
    assert response.json() == EXPECTED_PRODUCTS, (
        "GET /products should answer with the JSON list of products, "
        f"it answered {answered(response)}"
    )
