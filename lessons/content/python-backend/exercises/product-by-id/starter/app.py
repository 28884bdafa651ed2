from flask import Flask, abort

app = Flask(__name__)

PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
    {"id": 3, "name": "Headphones", "price": 149.99},
]


@app.get("/products")
def product_list():
    return {"products": PRODUCTS}


@app.get("/products/<product_id>")
def product_detail(product_id):
    for product in PRODUCTS:
        if product["id"] == product_id:
            return product
    # Flask's abort(404) answers with an HTML page, which an API client
    # cannot read.
    abort(404)
