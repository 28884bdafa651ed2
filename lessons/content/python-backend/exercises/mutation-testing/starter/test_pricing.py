from pricing import discount_price, order_total


def test_ten_percent_off():
    assert discount_price(1000, 10) == 900


# Add more tests here: the rules for order_total, the rounding, the
# boundaries, and the errors that bad input should raise.
