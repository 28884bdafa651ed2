import unittest

from roman_numerals import roman


class RomanNumeralsHiddenTest(unittest.TestCase):
    def test_more_numbers(self):
        cases = {
            14: "XIV",
            59: "LIX",
            93: "XCIII",
            141: "CXLI",
            402: "CDII",
            575: "DLXXV",
            1024: "MXXIV",
            2421: "MMCDXXI",
        }
        for number, numeral in cases.items():
            with self.subTest(number=number):
                self.assertEqual(roman(number), numeral)

    def test_numerals_are_as_short_as_possible(self):
        for number in range(1, 4000, 37):
            numeral = roman(number)
            with self.subTest(number=number):
                self.assertTrue(set(numeral) <= set("IVXLCDM"), numeral)
                for symbol in "IVXLCDM":
                    self.assertNotIn(symbol * 4, numeral)
