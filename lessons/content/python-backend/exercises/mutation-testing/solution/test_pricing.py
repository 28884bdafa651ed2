import pytest

from pricing import FREE_SHIPPING_FROM, SHIPPING_FEE, discount_price, order_total


@pytest.mark.parametrize(
    ("price", "percent", "expected"),
    [
        (1000, 10, 900),
        (1000, 0, 1000),  # lower end of the valid range
        (1000, 100, 0),  # upper end of the valid range
        (999, 50, 500),  # 499.5 cents: an exact half rounds up
        (5, 50, 3),  # 2.5 cents rounds up as well
        (1999, 15, 1699),  # 1699.15 cents rounds down
        (995, 30, 697),  # 696.5 cents rounds up
        (0, 25, 0),
    ],
)
def test_discount_price(price, percent, expected):
    assert discount_price(price, percent) == expected


@pytest.mark.parametrize("percent", [-1, 101, 150])
def test_percent_outside_0_to_100_is_refused(percent):
    with pytest.raises(ValueError):
        discount_price(1000, percent)


def test_negative_price_is_refused():
    with pytest.raises(ValueError):
        discount_price(-1, 10)


def test_empty_order_costs_nothing():
    assert order_total([]) == 0


def test_quantity_multiplies_the_unit_price():
    assert order_total([(1000, 3)]) == 3000 + SHIPPING_FEE


def test_small_order_pays_shipping():
    assert order_total([(1000, 1), (250, 2)]) == 1500 + SHIPPING_FEE


def test_order_at_the_threshold_ships_free():
    assert order_total([(FREE_SHIPPING_FROM, 1)]) == FREE_SHIPPING_FROM


def test_order_one_cent_below_the_threshold_pays_shipping():
    assert order_total([(FREE_SHIPPING_FROM - 1, 1)]) == FREE_SHIPPING_FROM - 1 + SHIPPING_FEE


def test_free_shipping_is_judged_after_the_discount():
    # 60.00 before the discount, 48.00 after it: under the threshold.
    assert order_total([(3000, 2)], percent=20) == 4800 + SHIPPING_FEE


def test_discount_applies_to_the_whole_order():
    assert order_total([(4000, 1), (2000, 1)], percent=10) == 5400


@pytest.mark.parametrize("quantity", [0, -2])
def test_quantity_below_one_is_refused(quantity):
    with pytest.raises(ValueError):
        order_total([(1000, quantity)])
