"""Runs your blog/tests.py with Django's test runner, `python manage.py test
blog`, beside your own blog, in your own process."""

import functools

from learner_tools import pytest_run

LEARNER_FILES = [
    "manage.py",
    "blogsite/__init__.py",
    "blogsite/settings.py",
    "blogsite/urls.py",
    "blogsite/wsgi.py",
    "blogsite/demo.py",
    "blog/__init__.py",
    "blog/models.py",
    "blog/admin.py",
    "blog/forms.py",
    "blog/views.py",
    "blog/urls.py",
    "blog/tests.py",
    "blog/migrations/__init__.py",
    "blog/migrations/0001_initial.py",
    "blog/templates/blog/base.html",
    "blog/templates/blog/post_list.html",
    "blog/templates/blog/post_detail.html",
    "blog/templates/blog/post_form.html",
    "blog/templates/registration/login.html",
]

# Run by pytest in a fresh folder holding your files: Django's test runner,
# and a check of what it says.
RUN_DJANGO_TESTS = """
import re
import subprocess
import sys

done = subprocess.run(
    [sys.executable, "manage.py", "test", "blog", "--noinput"],
    capture_output=True,
    text=True,
    timeout=40,
)


def test_manage_py_test_blog_passes():
    assert done.returncode == 0, done.stderr[-1500:]


def test_at_least_five_tests():
    ran = re.search(r"Ran (\\d+) tests?", done.stderr)
    assert ran and int(ran.group(1)) >= 5, done.stderr[-1500:]
"""


@functools.cache
def run_on_your_blog():
    result = pytest_run(
        files={"test_run_django_tests.py": RUN_DJANGO_TESTS}, tests=LEARNER_FILES, timeout=45
    )
    assert result["returncode"] is not None, "your tests did not finish within 45 seconds"
    return result["returncode"], result["output"]


def check_passed(check):
    returncode, output = run_on_your_blog()
    ok = returncode == 0 or ("1 failed, 1 passed" in output and f"::{check}" not in output)
    return ok, output


def test_your_tests_pass_on_your_blog():
    passed, output = check_passed("test_manage_py_test_blog_passes")
    assert passed, "`python manage.py test blog` failed on your own blog:\n" + output


def test_you_wrote_at_least_five_tests():
    enough, output = check_passed("test_at_least_five_tests")
    assert enough, "write at least 5 tests in blog/tests.py; Django's test runner said:\n" + output
