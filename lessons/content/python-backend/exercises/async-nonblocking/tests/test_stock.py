# The grader serves your `app` with Uvicorn. `client` is an httpx.Client
# connected to it. To send several requests at once, a test builds an
# httpx.AsyncClient on the same server from `client_options`, and runs it with
# asyncio.
import asyncio
import time

import httpx

LOOKUP_SECONDS = 0.5  # how long slow_lookup in app.py takes


async def timed(request):
    """Await the request; return the response and the moment it came back."""
    response = await request
    return response, time.monotonic()


def test_stock_returns_lookup_result(client):
    response = client.get("/stock/cherry")
    assert response.status_code == 200, (
        f"GET /stock/cherry answered {response.status_code}: {response.text[:200]!r}"
    )
    assert response.json() == {"sku": "cherry", "in_stock": 250}


def test_ping_is_answered_while_a_lookup_is_running(client_options):
    async def scenario():
        async with httpx.AsyncClient(**client_options) as c:
            stock_request = asyncio.create_task(timed(c.get("/stock/apple")))
            await asyncio.sleep(LOOKUP_SECONDS / 4)  # the lookup is under way
            sent = time.monotonic()
            ping = await timed(c.get("/ping"))
            return sent, ping, await stock_request

    sent, (ping, ping_done), (stock, stock_done) = asyncio.run(scenario())
    assert ping.status_code == 200 and stock.status_code == 200
    assert stock.json() == {"sku": "apple", "in_stock": 12}
    assert ping_done < stock_done, (
        f"GET /ping, sent while slow_lookup was running, took {ping_done - sent:.2f} s and "
        "came back after GET /stock/apple: the blocking call ran on the event loop and "
        "stalled every other request"
    )
