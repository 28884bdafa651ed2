"""A small shop API that runs behind one reverse proxy (nginx), which talks to
it over plain HTTP and adds X-Forwarded-For, X-Forwarded-Proto and
X-Forwarded-Host to every request it passes on."""

import logging
import sqlite3
from pathlib import Path

from flask import Flask, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

# The database: a SQLite file next to this one. The tests point DATABASE_PATH
# somewhere else to break it, so read it from here every time you need it.
DATABASE_PATH = str(Path(__file__).with_name("shop.sqlite3"))

# One entry per request, as the access log writes it; the tests read it.
ACCESS_LOG = []

logger = logging.getLogger("shop.access")

app = Flask(__name__)
# Exactly one proxy in front: believe the last entry it added to each header,
# nothing a client wrote before it.
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

NO_STORE = {"Cache-Control": "no-store"}


def init_db():
    with sqlite3.connect(DATABASE_PATH) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"
        )


def client_ip():
    """The address of the client who sent the request."""
    # ProxyFix has already put the address the proxy saw in remote_addr.
    return request.remote_addr


def database_ok():
    """True when the database file exists and its products table answers."""
    try:
        # mode=rw: never create an empty database where the real one is missing.
        db = sqlite3.connect(f"file:{DATABASE_PATH}?mode=rw", uri=True, timeout=1)
        try:
            db.execute("SELECT 1 FROM products LIMIT 1").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return True


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
    # Liveness: the process answers. Nothing else, so that a database outage
    # does not get every instance restarted.
    return {"status": "ok"}, 200, NO_STORE


@app.get("/readyz")
def readyz():
    # Readiness: can this instance do real work right now?
    if not database_ok():
        return {"status": "unavailable", "reason": "database unavailable"}, 503, NO_STORE
    return {"status": "ready"}, 200, NO_STORE


init_db()
