from flask import Flask

app = Flask(__name__)

# The catalogue lives in memory for now, keyed by product id so that one product
# is quick to find. Products were added over time, so the keys are not in order.
PRODUCTS = {
    2: {"id": 2, "name": "Smartphone", "price": 699.99},
    3: {"id": 3, "name": "Headphones", "price": 149.99},
    1: {"id": 1, "name": "Laptop", "price": 999.99},
}


@app.route("/hello")
def hello():
    return {"message": "Hello, World!"}


@app.route("/products")
def list_products():
    # TODO: clients expect a JSON list of products, sorted by id.
    return PRODUCTS
