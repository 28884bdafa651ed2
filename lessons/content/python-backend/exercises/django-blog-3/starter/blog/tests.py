"""Tests of the blog, run with `python manage.py test blog`.

Write django.test.TestCase classes here. One example to start from; it
passes, and it catches none of the bugs the grader plants.
"""

from django.test import TestCase


class ListPageTests(TestCase):
    def test_the_list_answers(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
