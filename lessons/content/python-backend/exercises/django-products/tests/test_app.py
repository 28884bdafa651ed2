import app  # noqa: F401  (importing it configures Django)
from django.test import Client

EXPECTED_PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
    {"id": 3, "name": "Headphones", "price": 149.99},
]


def test_hello_returns_message():
    response = Client().get("/hello")
    assert response.status_code == 200, f"GET /hello returned {response.status_code}, not 200"
    assert response.json() == {"message": "Hello, World!"}


def test_products_returns_200():
    response = Client().get("/products")
    assert response.status_code == 200, f"GET /products returned {response.status_code}, not 200"


def test_products_returns_the_catalogue():
    response = Client().get("/products")
    assert response.status_code == 200, f"GET /products returned {response.status_code}, not 200"
    assert response.json() == EXPECTED_PRODUCTS, "GET /products should answer with the JSON list of products"
