import time

from fastapi import FastAPI

app = FastAPI()

STOCK = {"apple": 12, "banana": 0, "cherry": 250}


def slow_lookup(sku: str) -> dict:
    """Look up stock in the warehouse system.

    This stands for a library you cannot change, such as a synchronous
    database driver or an HTTP call made with `requests`: it blocks the
    thread that calls it until the answer arrives.
    """
    time.sleep(0.5)
    return {"sku": sku, "in_stock": STOCK.get(sku, 0)}


@app.get("/stock/{sku}")
async def stock(sku: str):
    # A blocking call inside `async def`: while it sleeps, the event loop
    # cannot run anything else, so every other request waits too.
    return slow_lookup(sku)


@app.get("/ping")
async def ping():
    return {"ping": "pong"}
