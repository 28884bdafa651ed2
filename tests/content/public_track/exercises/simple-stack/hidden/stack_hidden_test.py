import unittest

from stack import Stack, StackUnderflowError


class StackHiddenTest(unittest.TestCase):
    def setUp(self):
        self.stack = Stack()
        for item in ("x", "y", "z"):
            self.stack.push(item)

    def test_underflow_after_emptying(self):
        for _ in range(3):
            self.stack.pop()
        with self.assertRaises(StackUnderflowError) as err:
            self.stack.pop()
        self.assertEqual(err.exception.args, ("the stack is empty",))

    def test_iteration_does_not_change_the_stack(self):
        self.assertEqual(list(self.stack), ["z", "y", "x"])
        self.assertEqual(list(self.stack), ["z", "y", "x"])
        self.assertEqual(len(self.stack), 3)
        self.assertEqual(self.stack.pop(), "z")

    def test_underflow_is_an_exception(self):
        self.assertTrue(issubclass(StackUnderflowError, Exception))
