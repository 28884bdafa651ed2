"""These tests grade YOUR tests. They run test_pricing.py against the correct
pricing.py, and against "mutants": copies of it with one small bug planted.
Good tests pass on the correct code and fail on every mutant."""

import functools

from learner_tools import pytest_run

PRICING = '''"""Prices for a small shop. All amounts are whole cents (int), never floats."""

FREE_SHIPPING_FROM = 5000  # orders of 50.00 or more ship for free
SHIPPING_FEE = 499


def discount_price(price: int, percent: int) -> int:
    """The price after taking `percent` per cent off, rounded to the nearest
    cent; an exact half cent rounds up."""
    if price < 0:
        raise ValueError("price must not be negative")
    if not 0 <= percent <= 100:
        raise ValueError("percent must be between 0 and 100")
    return (price * (100 - percent) + 50) // 100


def order_total(items: list[tuple[int, int]], percent: int = 0) -> int:
    """What the customer pays for `items`, a list of (unit price, quantity)
    pairs, with `percent` off the goods. Shipping is added unless the
    discounted goods cost FREE_SHIPPING_FROM or more; an empty order costs 0."""
    if not items:
        return 0
    for _price, quantity in items:
        if quantity < 1:
            raise ValueError("quantity must be at least 1")
    subtotal = sum(price * quantity for price, quantity in items)
    goods = discount_price(subtotal, percent)
    if goods >= FREE_SHIPPING_FROM:
        return goods
    return goods + SHIPPING_FEE
'''


def mutant(old, new):
    """pricing.py with one small change: `old` replaced by `new`."""
    assert PRICING.count(old) == 1, f"{old!r} must occur exactly once in pricing.py"
    return PRICING.replace(old, new)


@functools.cache
def run_learner_tests(pricing_source):
    """Run test_pricing.py with pytest, in a fresh folder, against `pricing_source`.
    Your tests run in your own process (learner_tools is the grader's helper for
    that); only their exit code and output come back here."""
    result = pytest_run(files={"pricing.py": pricing_source}, tests=["test_pricing.py"])
    if result["returncode"] is None:
        return None, "your tests did not finish within 10 seconds"
    return result["returncode"], result["output"]


def assert_pass_on_correct_code():
    returncode, output = run_learner_tests(PRICING)
    assert returncode != 5, "pytest found no tests in test_pricing.py: name them test_..."
    assert returncode == 0, (
        "your tests must all pass against the correct pricing.py first; pytest said:\n" + output
    )


def assert_caught(mutated_source, bug):
    assert_pass_on_correct_code()
    returncode, output = run_learner_tests(mutated_source)
    assert returncode is not None, output
    assert returncode != 0, f"all of your tests passed against a pricing.py where {bug}"


def test_your_tests_pass_on_the_correct_code():
    assert_pass_on_correct_code()


def test_your_tests_catch_ignored_quantity():
    assert_caught(
        mutant(
            "sum(price * quantity for price, quantity in items)",
            "sum(price for price, quantity in items)",
        ),
        bug="order_total ignores the quantity and counts each item once",
    )


def test_your_tests_catch_missing_free_shipping():
    assert_caught(
        mutant("        return goods\n", "        return goods + SHIPPING_FEE\n"),
        bug="order_total always charges shipping, even for large orders",
    )
