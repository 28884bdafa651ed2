import unittest

from roman_numerals import roman

SINGLE_SYMBOLS = {1: "I", 5: "V", 10: "X", 50: "L", 100: "C", 500: "D", 1000: "M"}
REPEATED_SYMBOLS = {2: "II", 3: "III", 30: "XXX", 200: "CC", 3000: "MMM"}
SUBTRACTIVE_PAIRS = {4: "IV", 9: "IX", 40: "XL", 90: "XC", 400: "CD", 900: "CM"}
MIXED_NUMBERS = {16: "XVI", 48: "XLVIII", 1994: "MCMXCIV", 3999: "MMMCMXCIX"}


class RomanNumeralsTest(unittest.TestCase):
    def test_single_symbols(self):
        for number, numeral in SINGLE_SYMBOLS.items():
            with self.subTest(number=number):
                self.assertEqual(roman(number), numeral)

    def test_repeated_symbols(self):
        for number, numeral in REPEATED_SYMBOLS.items():
            with self.subTest(number=number):
                self.assertEqual(roman(number), numeral)

    def test_subtractive_pairs(self):
        for number, numeral in SUBTRACTIVE_PAIRS.items():
            with self.subTest(number=number):
                self.assertEqual(roman(number), numeral)

    def test_mixed_numbers(self):
        for number, numeral in MIXED_NUMBERS.items():
            with self.subTest(number=number):
                self.assertEqual(roman(number), numeral)

    @unittest.skip("extra-credit")
    def test_parse_reads_a_numeral_back(self):
        from roman_numerals import parse

        for number in (1, 4, 16, 1994, 3999):
            with self.subTest(number=number):
                self.assertEqual(parse(roman(number)), number)
