from fastapi import FastAPI

app = FastAPI(title="Products API")

# In-memory catalogue. "cost" is what the shop pays the supplier: it is
# internal and must never be sent to clients.
PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99, "cost": 720.00},
    {"id": 2, "name": "Smartphone", "price": 699.99, "cost": 455.50},
    {"id": 3, "name": "Headphones", "price": 149.99, "cost": 61.25},
]


@app.get("/hello")
def hello():
    return {"message": "Hello, World!"}


# TODO: a Pydantic model `Product` with id, name and price, used as the
# response model of /products.


@app.get("/products")
def list_products():
    return PRODUCTS
