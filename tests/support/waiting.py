"""Waiting for something another process or thread does: the test's outcome
never depends on how long it takes, only the patience does."""

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], what: str = "", timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {what}")
        time.sleep(0.05)
