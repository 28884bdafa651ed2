import pytest
from perfect_numbers import classify


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        (8128, "perfect"),
        (33_550_336, "perfect"),
        (33_550_335, "abundant"),
        (33_550_337, "deficient"),
        (2**31 - 1, "deficient"),
    ],
)
def test_large_numbers_are_classified_quickly(number, kind):
    assert classify(number) == kind


def test_one_is_deficient():
    assert classify(1) == "deficient"
