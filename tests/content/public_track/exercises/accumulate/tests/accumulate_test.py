import pytest
from accumulate import accumulate


@pytest.mark.parametrize(
    ("collection", "operation", "expected"),
    [
        ([], lambda item: item * item, []),
        ([1, 2, 3], lambda item: item * item, [1, 4, 9]),
        ([1, 2, 3], lambda item: item * item * item, [1, 8, 27]),
        ([1, 2, 3], lambda item: item + 1, [2, 3, 4]),
        (["Hello", "World"], str.upper, ["HELLO", "WORLD"]),
        (["the", "quick", "brown"], lambda word: word[::-1], ["eht", "kciuq", "nworb"]),
    ],
)
def test_applies_the_operation_to_each_item(collection, operation, expected):
    assert accumulate(collection, operation) == expected


def test_accumulate_within_accumulate():
    def pair_with_digits(letter):
        return accumulate(["1", "2"], lambda digit: letter + digit)

    assert accumulate(["a", "b"], pair_with_digits) == [["a1", "a2"], ["b1", "b2"]]
