from fastapi.testclient import TestClient

from app import app

client = TestClient(app)

EXPECTED_PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
    {"id": 3, "name": "Headphones", "price": 149.99},
]


def test_hello_returns_message():
    response = client.get("/hello")
    assert response.status_code == 200, f"GET /hello returned {response.status_code}, not 200"
    assert response.json() == {"message": "Hello, World!"}


def test_products_returns_the_catalogue():
    response = client.get("/products")
    assert response.status_code == 200, f"GET /products returned {response.status_code}, not 200"
    assert response.json() == EXPECTED_PRODUCTS, (
        "GET /products should list id, name and price of each product, and nothing else"
    )
