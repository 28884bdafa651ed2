import pytest
from accumulate import accumulate


def test_the_operation_is_called_once_per_item_in_order():
    seen = []

    def record(item):
        seen.append(item)
        return len(seen)

    assert accumulate(["x", "y", "z"], record) == [1, 2, 3]
    assert seen == ["x", "y", "z"]


def test_errors_from_the_operation_reach_the_caller():
    with pytest.raises(ZeroDivisionError):
        accumulate([2, 1, 0], lambda number: 1 // number)


def test_works_on_any_iterable():
    assert accumulate((1, 2), str) == ["1", "2"]
    assert accumulate(range(4), lambda number: number * 10) == [0, 10, 20, 30]
