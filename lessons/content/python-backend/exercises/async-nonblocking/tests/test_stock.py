import asyncio
import threading
import time

import httpx

import app as app_module


def client():
    transport = httpx.ASGITransport(app=app_module.app)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


class StuckLookup:
    """A fake slow_lookup that blocks its thread, like real blocking I/O,
    until the test releases it (or, at the latest, after `max_wait` seconds)."""

    def __init__(self, max_wait=1.0):
        self.max_wait = max_wait
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.deadline = None
        self.started = 0
        self.timed_out = False

    def __call__(self, sku):
        with self.lock:
            if self.deadline is None:
                self.deadline = time.monotonic() + self.max_wait
            self.started += 1
        released = self.release.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        if not released:
            self.timed_out = True
        return {"sku": sku, "in_stock": 7}


async def wait_until(condition, seconds=2.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


def test_stock_returns_lookup_result():
    async def scenario():
        async with client() as c:
            return await c.get("/stock/cherry")

    response = asyncio.run(scenario())
    assert response.status_code == 200, f"GET /stock/cherry returned {response.status_code}"
    assert response.json() == {"sku": "cherry", "in_stock": 250}


def test_ping_is_answered_while_a_lookup_is_running(monkeypatch):
    lookup = StuckLookup()
    monkeypatch.setattr(app_module, "slow_lookup", lookup)

    async def scenario():
        async with client() as c:
            stock_request = asyncio.create_task(c.get("/stock/apple"))
            await wait_until(lambda: lookup.started >= 1)
            ping = await c.get("/ping")
            lookup.release.set()
            return ping, await stock_request

    ping, stock = asyncio.run(scenario())
    assert lookup.started == 1, "GET /stock/apple never called slow_lookup"
    assert not lookup.timed_out, (
        "GET /ping could not be answered while slow_lookup was running: the "
        "blocking call ran on the event loop and stalled every other request"
    )
    assert ping.status_code == 200
    assert stock.status_code == 200
    assert stock.json() == {"sku": "apple", "in_stock": 7}
