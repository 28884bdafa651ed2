import unittest

from two_fer import two_fer


class TwoFerHiddenTest(unittest.TestCase):
    def test_names_are_used_as_given(self):
        for name in ("Zoë", "Mary Ann", "o'Neil", ""):
            with self.subTest(name=name):
                self.assertEqual(two_fer(name), f"A slice for {name}, a slice for me.")
