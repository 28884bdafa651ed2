import pytest
from clock import Clock


@pytest.mark.parametrize(
    ("hour", "minute", "change", "shown"),
    [
        (10, 0, 3 * 1440 + 61, "11:01"),
        (10, 0, -(2 * 1440 + 1), "09:59"),
        (0, 0, 1440, "00:00"),
        (5, 32, -1440 * 10 - 32, "05:00"),
    ],
)
def test_adding_and_subtracting_large_amounts(hour, minute, change, shown):
    assert str(Clock(hour, minute) + change) == shown
    assert str(Clock(hour, minute) - (-change)) == shown


def test_arithmetic_returns_a_new_clock():
    clock = Clock(6, 15)
    later = clock + 30
    earlier = clock - 30
    assert str(clock) == "06:15"
    assert str(later) == "06:45"
    assert str(earlier) == "05:45"


def test_repr_shows_the_normalised_time():
    assert repr(Clock(25, 70)) == "Clock(2, 10)"
    assert repr(Clock(0, -1)) == "Clock(23, 59)"
