class StackUnderflowError(Exception):
    """Raised when an empty stack is asked for its top item."""


class Stack:
    def __init__(self):
        self._items = []

    def push(self, item):
        self._items.append(item)

    def pop(self):
        if not self._items:
            raise StackUnderflowError("the stack is empty")
        return self._items.pop()

    def peek(self):
        if not self._items:
            raise StackUnderflowError("the stack is empty")
        return self._items[-1]

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        return reversed(self._items)
