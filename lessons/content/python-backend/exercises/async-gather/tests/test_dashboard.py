import asyncio

import app


class FetchTracker:
    """Fake fetchers that count how many calls are in flight at the same time."""

    def __init__(self):
        self.in_flight = 0
        self.max_in_flight = 0

    def fake(self, result):
        async def fetch(user_id):
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                # Hand control back to the event loop, as real I/O would.
                await asyncio.sleep(0.01)
                return result
            finally:
                self.in_flight -= 1

        return fetch


def test_dashboard_has_user_and_orders():
    dashboard = asyncio.run(app.load_dashboard(7))
    assert dashboard == {
        "user": {"id": 7, "name": "user-7"},
        "orders": [{"id": 701, "total": 1999}, {"id": 702, "total": 4550}],
        "order_count": 2,
    }


def test_fetches_run_concurrently(monkeypatch):
    tracker = FetchTracker()
    monkeypatch.setattr(app, "fetch_user", tracker.fake({"id": 1, "name": "ada"}))
    monkeypatch.setattr(app, "fetch_orders", tracker.fake([]))

    asyncio.run(app.load_dashboard(1))

    assert tracker.max_in_flight == 2, (
        "fetch_user and fetch_orders never ran at the same time: load_dashboard "
        "waited for one to finish before starting the other"
    )
