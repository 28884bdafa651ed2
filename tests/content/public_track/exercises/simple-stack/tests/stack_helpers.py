"""Shared by the stack tests: stacks with known contents."""


def filled(stack, count):
    """Push 1, 2, ..., count onto `stack` and return it."""
    for item in range(1, count + 1):
        stack.push(item)
    return stack
