from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Products API")

# In-memory catalogue. "cost" is what the shop pays the supplier: it is
# internal and must never be sent to clients.
PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99, "cost": 720.00},
    {"id": 2, "name": "Smartphone", "price": 699.99, "cost": 455.50},
    {"id": 3, "name": "Headphones", "price": 149.99, "cost": 61.25},
]


class Message(BaseModel):
    message: str


class Product(BaseModel):
    id: int
    name: str
    price: float


@app.get("/hello")
def hello() -> Message:
    return Message(message="Hello, World!")


@app.get("/products", response_model=list[Product])
def list_products():
    return PRODUCTS
