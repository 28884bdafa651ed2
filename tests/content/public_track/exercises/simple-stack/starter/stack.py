class StackUnderflowError(Exception):
    pass


class Stack:
    def push(self, item):
        pass

    def pop(self):
        pass

    def peek(self):
        pass

    def __len__(self):
        return 0

    def __iter__(self):
        return iter(())
