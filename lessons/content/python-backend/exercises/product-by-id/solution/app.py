from flask import Flask, jsonify

app = Flask(__name__)

PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
    {"id": 3, "name": "Headphones", "price": 149.99},
]


def error_response(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


@app.errorhandler(404)
def not_found(error):
    # URLs that match no route at all, such as /products/abc.
    return error_response(404, "not_found", "There is nothing at this URL.")


@app.get("/products")
def product_list():
    return {"products": PRODUCTS}


@app.get("/products/<int:product_id>")
def product_detail(product_id: int):
    for product in PRODUCTS:
        if product["id"] == product_id:
            return product
    return error_response(404, "product_not_found", f"No product with id {product_id}.")
