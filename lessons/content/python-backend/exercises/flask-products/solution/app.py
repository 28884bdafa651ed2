from flask import Flask, jsonify

app = Flask(__name__)

# The catalogue lives in memory for now, keyed by product id so that one product
# is quick to find. Products were added over time, so the keys are not in order.
PRODUCTS = {
    2: {"id": 2, "name": "Smartphone", "price": 699.99},
    3: {"id": 3, "name": "Headphones", "price": 149.99},
    1: {"id": 1, "name": "Laptop", "price": 999.99},
}


@app.get("/hello")
def hello():
    return {"message": "Hello, World!"}


@app.get("/products")
def list_products():
    products = sorted(PRODUCTS.values(), key=lambda product: product["id"])
    return jsonify(products)
