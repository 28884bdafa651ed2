import unittest

from stack import Stack, StackUnderflowError
from stack_helpers import filled


class StackTest(unittest.TestCase):
    def setUp(self):
        self.stack = Stack()

    def tearDown(self):
        # Every test leaves a stack it can still count.
        self.assertGreaterEqual(len(self.stack), 0)

    def test_pop_returns_the_last_item_pushed(self):
        self.stack.push("a")
        self.stack.push("b")
        self.assertEqual(self.stack.pop(), "b")
        self.assertEqual(self.stack.pop(), "a")

    def test_peek_leaves_the_item_on_top(self):
        filled(self.stack, 2)
        self.assertEqual(self.stack.peek(), 2)
        self.assertEqual(self.stack.peek(), 2)
        self.assertEqual(len(self.stack), 2)

    def test_pop_from_an_empty_stack_raises_underflow(self):
        with self.assertRaises(StackUnderflowError):
            self.stack.pop()

    def test_peek_at_an_empty_stack_says_why(self):
        with self.assertRaises(StackUnderflowError) as err:
            self.stack.peek()
        self.assertEqual(type(err.exception), StackUnderflowError)
        self.assertEqual(err.exception.args[0], "the stack is empty")


class StackSizeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.counts = (0, 1, 2, 5)

    def test_len_counts_the_items(self):
        for count in self.counts:
            with self.subTest(count=count):
                self.assertEqual(len(filled(Stack(), count)), count)

    def test_iteration_goes_from_the_top_down(self):
        self.assertEqual(list(filled(Stack(), 3)), [3, 2, 1])
