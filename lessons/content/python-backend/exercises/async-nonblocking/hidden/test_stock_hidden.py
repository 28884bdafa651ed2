import asyncio
import time

import httpx

LOOKUP_SECONDS = 0.5  # how long slow_lookup in app.py takes


async def timed(request):
    response = await request
    return response, time.monotonic()


def test_stock_passes_sku_and_returns_lookup_result(client_options):
    async def scenario():
        async with httpx.AsyncClient(**client_options) as c:
            return await asyncio.gather(
                *(c.get(f"/stock/{sku}") for sku in ("banana", "cherry", "widget-9"))
            )

    responses = asyncio.run(scenario())
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r.json() for r in responses] == [
        {"sku": "banana", "in_stock": 0},
        {"sku": "cherry", "in_stock": 250},
        {"sku": "widget-9", "in_stock": 0},
    ]


def test_two_lookups_run_at_the_same_time(client_options):
    async def scenario():
        async with httpx.AsyncClient(**client_options) as c:
            return await asyncio.gather(timed(c.get("/stock/apple")), timed(c.get("/stock/cherry")))

    (first, first_done), (second, second_done) = asyncio.run(scenario())
    # One after the other, the second lookup would end LOOKUP_SECONDS after the first.
    assert abs(first_done - second_done) < LOOKUP_SECONDS / 2
    assert first.json() == {"sku": "apple", "in_stock": 12}
    assert second.json() == {"sku": "cherry", "in_stock": 250}


def test_ping_is_answered_while_several_lookups_run(client_options):
    skus = ("apple", "banana", "cherry")

    async def scenario():
        async with httpx.AsyncClient(**client_options) as c:
            stocks = [asyncio.create_task(timed(c.get(f"/stock/{sku}"))) for sku in skus]
            await asyncio.sleep(LOOKUP_SECONDS / 4)
            pings = [await timed(c.get("/ping")) for _ in range(3)]
            return pings, await asyncio.gather(*stocks)

    pings, stocks = asyncio.run(scenario())
    assert all(p.status_code == 200 for p, _ in pings)
    assert max(done for _, done in pings) < min(done for _, done in stocks)
    assert [s.json()["sku"] for s, _ in stocks] == list(skus)
