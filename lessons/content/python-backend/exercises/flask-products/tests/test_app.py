from app import app

EXPECTED_PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
    {"id": 3, "name": "Headphones", "price": 149.99},
]


def test_hello_returns_message():
    response = app.test_client().get("/hello")
    assert response.status_code == 200, f"GET /hello returned {response.status_code}, not 200"
    assert response.get_json(silent=True) == {"message": "Hello, World!"}


def test_products_returns_200():
    response = app.test_client().get("/products")
    assert response.status_code == 200, f"GET /products returned {response.status_code}, not 200"


def test_products_returns_the_catalogue():
    response = app.test_client().get("/products")
    data = response.get_json(silent=True)
    assert isinstance(data, list), (
        f"GET /products should answer with a JSON list, got {response.get_data(as_text=True)!r}"
    )
    assert data == EXPECTED_PRODUCTS
