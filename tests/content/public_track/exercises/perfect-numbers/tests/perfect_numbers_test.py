import unittest

from perfect_numbers import classify


def test_perfect_numbers(subtests):
    for number in (6, 28, 496):
        with subtests.test(msg="perfect", number=number):
            assert classify(number) == "perfect"


def test_abundant_numbers(subtests):
    for number in (12, 18, 20, 30, 945):
        with subtests.test(msg="abundant", number=number):
            assert classify(number) == "abundant"


def test_deficient_numbers(subtests):
    for number in (2, 4, 8, 9, 32):
        with subtests.test(msg="deficient", number=number):
            assert classify(number) == "deficient"


class InvalidInputTest(unittest.TestCase):
    def test_zero_is_rejected(self):
        with self.assertRaises(ValueError) as err:
            classify(0)
        self.assertEqual(type(err.exception), ValueError)
        self.assertEqual(err.exception.args[0], "only positive integers have an aliquot sum")

    def test_negative_numbers_are_rejected(self):
        with self.assertRaises(ValueError) as err:
            classify(-6)
        self.assertEqual(type(err.exception), ValueError)
        self.assertEqual(err.exception.args[0], "only positive integers have an aliquot sum")
