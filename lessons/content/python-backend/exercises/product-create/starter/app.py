from fastapi import FastAPI, HTTPException

app = FastAPI()

PRODUCTS: list[dict] = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
]


@app.get("/products")
def product_list():
    return {"products": PRODUCTS}


@app.get("/products/{product_id}")
def product_detail(product_id: int):
    for product in PRODUCTS:
        if product["id"] == product_id:
            return product
    raise HTTPException(status_code=404, detail=f"No product with id {product_id}.")


@app.post("/products")
def product_create(data: dict):
    # Accepts any JSON object at all, gives it no id and answers 200.
    PRODUCTS.append(data)
    return data
