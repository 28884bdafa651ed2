"""Claims of the layout lesson (03-04) and the async-jobs lessons (06-02, 06-03),
run for real: the shop's order service must not oversell when orders for the
last items arrive at once, its route must refuse booleans posing as ids, the
process pool of 06-02 must be made once and reused, and the Celery app of 06-03
must acknowledge late, as at-least-once delivery needs."""

import concurrent.futures
import contextlib
import importlib
import importlib.util
import re
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import testclient

from tests.support.lesson_code import code_block, code_blocks, lesson_text

LAYOUT = "03-routes-views-and-layout/04-project-layout.md"
BLOCKING = "07-async-jobs-and-caching/02-blocking-calls.md"
JOBS = "07-async-jobs-and-caching/03-background-jobs-and-caching.md"

# The lesson's `shop` package, written from its code blocks under this name, so
# that it cannot meet another test's `shop` in sys.modules.
PACKAGE = "lesson_layout_shop"
FILE_HEADER = re.compile(r"\A# shop/(?P<path>[\w/]+\.py)\n")
SCHEMA = """
CREATE TABLE products (
    id INTEGER PRIMARY KEY, price_cents INTEGER NOT NULL, stock INTEGER NOT NULL
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL, total_cents INTEGER NOT NULL
);
"""


# --- 03-04: the shop package ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The lesson's `shop` package, each `# shop/...py` block written to its file."""
    root = tmp_path_factory.mktemp("layout")
    package = root / PACKAGE
    written = set()
    for code in code_blocks(LAYOUT):
        header = FILE_HEADER.match(code)
        if header is None:
            continue
        target = package / header["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
        written.add(header["path"])
    assert {
        "__init__.py",
        "settings.py",
        "orders/routes.py",
        "orders/services.py",
        "orders/repository.py",
    } <= written, f"{LAYOUT}: the layout's files are not all shown: {sorted(written)}"
    (package / "orders" / "__init__.py").touch()
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def shop_database(path: Path, *, stock: int, price_cents: int = 1000) -> Path:
    with sqlite3.connect(path) as connection:
        connection.executescript(SCHEMA)
        connection.execute(
            "INSERT INTO products (id, price_cents, stock) VALUES (1, ?, ?)", (price_cents, stock)
        )
    connection.close()
    return path


def shop_state(path: Path) -> tuple[int, int]:
    """(stock of product 1, number of orders)."""
    connection = sqlite3.connect(path)
    try:
        (stock,) = connection.execute("SELECT stock FROM products WHERE id = 1").fetchone()
        (orders,) = connection.execute("SELECT COUNT(*) FROM orders").fetchone()
    finally:
        connection.close()
    return stock, orders


class ReadsFirst:
    """A connection whose threads all finish their reads before any of them
    writes: each waits at a barrier before its first statement that is not a
    SELECT. That is the interleaving under which a check-then-act service
    oversells, made certain instead of left to luck. (Nothing waits while
    holding a write lock, so a correct service cannot deadlock here.)"""

    def __init__(self, connection: sqlite3.Connection, barrier: threading.Barrier) -> None:
        self._connection = connection
        self._barrier = barrier
        self._written = False

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        if not self._written and not sql.lstrip().upper().startswith("SELECT"):
            self._written = True
            # A thread that never writes (its order failed early) breaks the
            # barrier after its timeout, and the others go on.
            with contextlib.suppress(threading.BrokenBarrierError):
                self._barrier.wait()
        return self._connection.execute(sql, parameters)

    def __enter__(self) -> "ReadsFirst":
        self._connection.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> Any:
        return self._connection.__exit__(*exc_info)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


@pytest.mark.parametrize(
    ("stock", "quantity", "customers"),
    [(3, 1, 8), (5, 2, 6), (1, 1, 2)],
)
def test_concurrent_orders_for_the_last_items_never_oversell(
    shop: ModuleType, tmp_path: Path, stock: int, quantity: int, customers: int
) -> None:
    """03-04 presents `order_place` as the good design: several threads, each
    with its own connection to one SQLite file as each request has, order the
    last items at once. Exactly as many orders succeed as the stock allows."""
    services = importlib.import_module(f"{PACKAGE}.orders.services")
    database = shop_database(tmp_path / "shop.db", stock=stock)
    barrier = threading.Barrier(customers, timeout=5)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def customer() -> None:
        connection = sqlite3.connect(database, timeout=30)
        try:
            services.order_place(
                ReadsFirst(connection, barrier),
                product_id=1,
                quantity=quantity,
                bulk_quantity=10,
            )
            outcomes.append("placed")
        except services.OutOfStock:
            outcomes.append("out of stock")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=customer) for _ in range(customers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(outcomes) == customers
    placed = stock // quantity
    left, orders = shop_state(database)
    assert left >= 0, f"oversold: stock is {left} after {outcomes.count('placed')} orders"
    assert outcomes.count("placed") == placed, outcomes
    assert outcomes.count("out of stock") == customers - placed
    assert (left, orders) == (stock - placed * quantity, placed)


def test_an_order_for_more_than_is_left_changes_nothing(shop: ModuleType, tmp_path: Path) -> None:
    services = importlib.import_module(f"{PACKAGE}.orders.services")
    database = shop_database(tmp_path / "shop.db", stock=2)
    connection = sqlite3.connect(database)
    try:
        with pytest.raises(services.OutOfStock):
            services.order_place(connection, product_id=1, quantity=3, bulk_quantity=10)
        with pytest.raises(services.ProductNotFound):
            services.order_place(connection, product_id=2, quantity=1, bulk_quantity=10)
        order = services.order_place(connection, product_id=1, quantity=2, bulk_quantity=2)
    finally:
        connection.close()
    assert order["total_cents"] == 1800  # the bulk discount still applies
    assert shop_state(database) == (0, 1)


@pytest.mark.parametrize(
    "body",
    [
        {"product_id": True, "quantity": 1},
        {"product_id": False, "quantity": 1},
        {"product_id": 1, "quantity": True},
        {"product_id": 1, "quantity": False},
        {"product_id": 1, "quantity": 1.0},
        {"product_id": "1", "quantity": 1},
        {"product_id": 1},
    ],
)
def test_the_order_route_refuses_booleans_and_other_non_integers(
    shop: ModuleType, tmp_path: Path, body: dict[str, Any]
) -> None:
    """JSON `true` arrives as Python True, and `isinstance(True, int)` holds:
    the route must still answer 422 and order nothing."""
    settings = importlib.import_module(f"{PACKAGE}.settings")
    database = shop_database(tmp_path / "shop.db", stock=5)
    app = shop.create_app(settings.Settings(database_path=str(database)))
    response = app.test_client().post("/orders", json=body)
    assert response.status_code == 422, (body, response.get_json())
    assert response.get_json()["error"]["code"] == "invalid_order"
    assert shop_state(database) == (5, 0)


def test_the_order_route_places_a_valid_order(shop: ModuleType, tmp_path: Path) -> None:
    settings = importlib.import_module(f"{PACKAGE}.settings")
    database = shop_database(tmp_path / "shop.db", stock=5)
    client = shop.create_app(settings.Settings(database_path=str(database))).test_client()
    response = client.post("/orders", json={"product_id": 1, "quantity": 2})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["total_cents"] == 2000
    refused = client.post("/orders", json={"product_id": 1, "quantity": 4})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "out_of_stock"
    assert shop_state(database) == (3, 1)


# --- 06-02: one process pool --------------------------------------------------------------


def test_the_process_pool_is_made_once_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """06-02's process-pool endpoint, served twice: one pool serves both
    requests, and it is shut down when the app stops."""
    pools: list[concurrent.futures.ProcessPoolExecutor] = []
    used: list[concurrent.futures.ProcessPoolExecutor] = []

    class CountedPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            pools.append(self)

        def submit(self, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
            used.append(self)
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountedPool)
    # A real module file, so that the pool's processes find the function by name.
    source = tmp_path / "lesson_process_pool.py"
    source.write_text(code_block(BLOCKING, containing="ProcessPoolExecutor"), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("lesson_process_pool", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "lesson_process_pool", module)
    spec.loader.exec_module(module)

    with testclient.TestClient(module.app) as client:
        first = client.get("/primes/100")
        second = client.get("/primes/1000")
        assert client.get("/primes/10000000").status_code == 422  # capped
    assert (first.status_code, first.json()["primes"]) == (200, 25)
    assert (second.status_code, second.json()["primes"]) == (200, 168)
    assert len(used) == 2
    assert len(pools) == 1, f"{len(pools)} process pools for {len(used)} calls"
    assert used == [pools[0], pools[0]]
    with pytest.raises(RuntimeError, match="shutdown"):
        pools[0].submit(int)  # stopped with the app


# --- 06-03: late acknowledgement ------------------------------------------------------------


def test_the_celery_example_acknowledges_late() -> None:
    """06-03 promises at-least-once delivery with Celery: only late
    acknowledgement (and a killed worker's job rejected back to the queue)
    gives it; Celery's default acknowledges before the job runs."""
    code = code_block(JOBS, containing="Celery(")
    code, brokers = re.subn(r"broker=(['\"])[^'\"]*\1", 'broker="memory://"', code)
    assert brokers == 1
    namespace: dict[str, Any] = {"__name__": "lesson_celery_jobs"}
    exec(compile(code, JOBS, "exec"), namespace)  # noqa: S102 - the lesson's own code
    task = namespace["send_receipt"]
    assert task.app.conf.broker_url == "memory://"
    assert task.acks_late is True, "the task acknowledges before it runs (at most once)"
    assert task.reject_on_worker_lost is True, "a killed worker's job would be acknowledged"
    assert ConnectionError in task.autoretry_for


# --- The check-yourself questions -----------------------------------------------------------


@pytest.mark.parametrize("lesson", [LAYOUT, JOBS])
def test_reveal_boxes_are_graded_questions(lesson: str) -> None:
    text = lesson_text(lesson)
    assert "??? question" not in text
    assert len(code_blocks(lesson, language="question")) >= 4
