import asyncio
import threading
import time

import httpx

import app as app_module


def client():
    transport = httpx.ASGITransport(app=app_module.app)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


class StuckLookup:
    def __init__(self, max_wait=1.0):
        self.max_wait = max_wait
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.deadline = None
        self.started = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.timed_out = False

    def __call__(self, sku):
        with self.lock:
            if self.deadline is None:
                self.deadline = time.monotonic() + self.max_wait
            self.started += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        released = self.release.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        with self.lock:
            self.in_flight -= 1
            if not released:
                self.timed_out = True
        return {"sku": sku, "in_stock": len(sku)}


async def wait_until(condition, seconds=2.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


def test_stock_passes_sku_and_returns_lookup_result(monkeypatch):
    calls = []

    def fake_lookup(sku):
        calls.append(sku)
        return {"sku": sku, "in_stock": 41, "warehouse": "north"}

    monkeypatch.setattr(app_module, "slow_lookup", fake_lookup)

    async def scenario():
        async with client() as c:
            return await c.get("/stock/widget-9")

    response = asyncio.run(scenario())
    assert calls == ["widget-9"]
    assert response.status_code == 200
    assert response.json() == {"sku": "widget-9", "in_stock": 41, "warehouse": "north"}


def test_two_lookups_run_at_the_same_time(monkeypatch):
    lookup = StuckLookup()
    monkeypatch.setattr(app_module, "slow_lookup", lookup)

    async def scenario():
        async with client() as c:
            requests = [asyncio.create_task(c.get(f"/stock/{sku}")) for sku in ("ab", "abc")]
            await wait_until(lambda: lookup.started >= 2)
            lookup.release.set()
            return await asyncio.gather(*requests)

    first, second = asyncio.run(scenario())
    assert lookup.max_in_flight == 2
    assert not lookup.timed_out
    assert first.json() == {"sku": "ab", "in_stock": 2}
    assert second.json() == {"sku": "abc", "in_stock": 3}


def test_ping_is_answered_while_several_lookups_run(monkeypatch):
    lookup = StuckLookup()
    monkeypatch.setattr(app_module, "slow_lookup", lookup)
    skus = ("a", "bb", "ccc")

    async def scenario():
        async with client() as c:
            requests = [asyncio.create_task(c.get(f"/stock/{sku}")) for sku in skus]
            await wait_until(lambda: lookup.started >= len(skus))
            pings = [await c.get("/ping") for _ in range(3)]
            lookup.release.set()
            return pings, await asyncio.gather(*requests)

    pings, stocks = asyncio.run(scenario())
    assert lookup.started == len(skus)
    assert not lookup.timed_out
    assert all(p.status_code == 200 for p in pings)
    assert [s.json()["sku"] for s in stocks] == list(skus)
