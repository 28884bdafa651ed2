import asyncio

import pytest

import app


class FetchTracker:
    def __init__(self):
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls = []

    def fake(self, name, make_result):
        async def fetch(user_id):
            self.calls.append((name, user_id))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await asyncio.sleep(0.01)
                return make_result(user_id)
            finally:
                self.in_flight -= 1

        return fetch


def install(monkeypatch, tracker, orders_count=3):
    monkeypatch.setattr(
        app, "fetch_user", tracker.fake("user", lambda uid: {"id": uid, "name": f"fake-{uid}"})
    )
    monkeypatch.setattr(
        app,
        "fetch_orders",
        tracker.fake("orders", lambda uid: [{"id": uid * 10 + n} for n in range(orders_count)]),
    )


def test_result_uses_each_fetch_for_its_own_key(monkeypatch):
    install(monkeypatch, FetchTracker(), orders_count=3)
    dashboard = asyncio.run(app.load_dashboard(5))
    assert dashboard == {
        "user": {"id": 5, "name": "fake-5"},
        "orders": [{"id": 50}, {"id": 51}, {"id": 52}],
        "order_count": 3,
    }


def test_each_fetch_called_once_with_the_user_id(monkeypatch):
    tracker = FetchTracker()
    install(monkeypatch, tracker)
    asyncio.run(app.load_dashboard(42))
    assert sorted(tracker.calls) == [("orders", 42), ("user", 42)]


def test_error_in_one_fetch_propagates(monkeypatch):
    tracker = FetchTracker()
    install(monkeypatch, tracker)

    async def broken_orders(user_id):
        await asyncio.sleep(0.01)
        raise LookupError("order service is down")

    monkeypatch.setattr(app, "fetch_orders", broken_orders)
    with pytest.raises(Exception) as raised:
        asyncio.run(app.load_dashboard(3))
    error = raised.value
    if isinstance(error, BaseExceptionGroup):  # asyncio.TaskGroup wraps errors
        error = error.split(LookupError)[0]
    assert isinstance(error, (LookupError, BaseExceptionGroup))


def test_several_dashboards_load_concurrently(monkeypatch):
    tracker = FetchTracker()
    install(monkeypatch, tracker, orders_count=1)

    async def load_three():
        return await asyncio.gather(*(app.load_dashboard(uid) for uid in (1, 2, 3)))

    dashboards = asyncio.run(load_three())
    assert [d["user"]["id"] for d in dashboards] == [1, 2, 3]
    assert [d["orders"] for d in dashboards] == [[{"id": 10}], [{"id": 20}], [{"id": 30}]]
    assert tracker.max_in_flight == 6
