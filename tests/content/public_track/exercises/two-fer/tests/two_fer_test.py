import unittest

from two_fer import two_fer


class TwoFerTest(unittest.TestCase):
    def test_a_name_given(self):
        self.assertEqual(two_fer("Alice"), "A slice for Alice, a slice for me.")

    def test_another_name_given(self):
        self.assertEqual(two_fer("Bob"), "A slice for Bob, a slice for me.")

    def test_no_name_given(self):
        self.assertEqual(two_fer(), "A slice for you, a slice for me.")
