"""A small shop API that runs behind one reverse proxy (nginx), which talks to
it over plain HTTP and adds X-Forwarded-For, X-Forwarded-Proto and
X-Forwarded-Host to every request it passes on."""

import logging
import sqlite3
from pathlib import Path

from flask import Flask, request, url_for

# The database: a SQLite file next to this one. The tests point DATABASE_PATH
# somewhere else to break it, so read it from here every time you need it.
DATABASE_PATH = str(Path(__file__).with_name("shop.sqlite3"))

# One entry per request, as the access log writes it; the tests read it.
ACCESS_LOG = []

logger = logging.getLogger("shop.access")

app = Flask(__name__)


def init_db():
    with sqlite3.connect(DATABASE_PATH) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"
        )


def client_ip():
    """The address of the client who sent the request."""
    # The proxy tells us who the client is.
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.remote_addr


@app.after_request
def log_request(response):
    entry = {
        "ip": client_ip(),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
    }
    ACCESS_LOG.append(entry)
    logger.info("%(ip)s %(method)s %(path)s %(status)s", entry)
    return response


@app.post("/products")
def create_product():
    name = str((request.get_json(silent=True) or {}).get("name", "")).strip()
    if not name:
        return {"error": "name is required"}, 400
    with sqlite3.connect(DATABASE_PATH) as db:
        product_id = db.execute("INSERT INTO products (name) VALUES (?)", (name,)).lastrowid
    url = url_for("get_product", product_id=product_id, _external=True)
    return {"id": product_id, "name": name, "url": url}, 201, {"Location": url}


@app.get("/products/<int:product_id>")
def get_product(product_id):
    with sqlite3.connect(DATABASE_PATH) as db:
        row = db.execute("SELECT id, name FROM products WHERE id = ?", (product_id,)).fetchone()
    if row is None:
        return {"error": "no such product"}, 404
    url = url_for("get_product", product_id=row[0], _external=True)
    return {"id": row[0], "name": row[1], "url": url}


@app.get("/healthz")
def healthz():
    # The load balancer asks every few seconds: let it cache the answer.
    return "ok", 200, {"Cache-Control": "public, max-age=300"}


init_db()
