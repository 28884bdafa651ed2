# The grader serves your `app` with a real web server. `client` is an
# httpx.Client connected to it: client.get("/products") sends GET /products.

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


def json_body(response):
    """The parsed JSON body, or None if the answer is not JSON."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def test_hello_returns_message(client):
    response = client.get("/hello")
    assert response.status_code == 200, (
        f"GET /hello should answer 200, it answered {answered(response)}"
    )
    assert json_body(response) == {"message": "Hello, World!"}, (
        f'GET /hello should answer {{"message": "Hello, World!"}}, it answered {answered(response)}'
    )


def test_products_returns_200(client):
    response = client.get("/products")
    assert response.status_code == 200, (
        f"GET /products should answer 200, it answered {answered(response)}"
    )


def test_products_returns_the_catalogue(client):
    response = client.get("/products")
    data = json_body(response)
    assert isinstance(data, list), (
        f"GET /products should answer with a JSON list, it answered {answered(response)}"
    )
    assert data == EXPECTED_PRODUCTS, "GET /products should list the three products, sorted by id"
