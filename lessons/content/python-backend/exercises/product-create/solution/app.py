from itertools import count

from fastapi import FastAPI, HTTPException, Response, status
from pydantic import BaseModel, Field

app = FastAPI()

PRODUCTS: list[dict] = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
]
_next_id = count(start=max(product["id"] for product in PRODUCTS) + 1)


class ProductIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)


class ProductOut(ProductIn):
    id: int


@app.get("/products")
def product_list():
    return {"products": PRODUCTS}


@app.get("/products/{product_id}")
def product_detail(product_id: int):
    for product in PRODUCTS:
        if product["id"] == product_id:
            return product
    raise HTTPException(status_code=404, detail=f"No product with id {product_id}.")


@app.post("/products", status_code=status.HTTP_201_CREATED, response_model=ProductOut)
def product_create(data: ProductIn, response: Response):
    product = {"id": next(_next_id), **data.model_dump()}
    PRODUCTS.append(product)
    response.headers["Location"] = f"/products/{product['id']}"
    return product
