import unittest

from clock import Clock


class ClockCreationTest(unittest.TestCase):
    def test_on_the_hour(self):
        self.assertEqual(str(Clock(8, 0)), "08:00")

    def test_past_the_hour(self):
        self.assertEqual(str(Clock(11, 9)), "11:09")

    def test_out_of_range_values_roll_over(self):
        cases = [
            (24, 0, "00:00"),
            (25, 0, "01:00"),
            (1, 60, "02:00"),
            (0, 1723, "04:43"),
            (-1, 15, "23:15"),
            (1, -30, "00:30"),
            (-25, -160, "20:20"),
        ]
        for hour, minute, shown in cases:
            with self.subTest(hour=hour, minute=minute):
                self.assertEqual(str(Clock(hour, minute)), shown)

    def test_repr(self):
        self.assertEqual(repr(Clock(7, 32)), "Clock(7, 32)")


class ClockArithmeticTest(unittest.TestCase):
    def test_add_minutes(self):
        self.assertEqual(str(Clock(8, 0) + 3), "08:03")

    def test_add_across_midnight(self):
        self.assertEqual(str(Clock(23, 59) + 2), "00:01")

    def test_subtract_minutes(self):
        self.assertEqual(str(Clock(10, 3) - 3), "10:00")

    def test_subtract_across_midnight(self):
        self.assertEqual(str(Clock(0, 3) - 4), "23:59")


class ClockEqualityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.afternoon = Clock(15, 37)

    def test_clocks_showing_the_same_time_are_equal(self):
        self.assertEqual(Clock(15, 37), Clock(15, 37))
        self.assertEqual(self.afternoon, Clock(39, 37))
        self.assertEqual(Clock(-1, 0), Clock(23, 0))

    def test_clocks_a_minute_apart_are_not_equal(self):
        self.assertNotEqual(Clock(15, 36), Clock(15, 37))

    def test_clocks_an_hour_apart_are_not_equal(self):
        self.assertNotEqual(Clock(14, 37), self.afternoon)
