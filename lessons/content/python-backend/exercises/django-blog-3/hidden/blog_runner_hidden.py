"""Runs your blog/tests.py with Django's test runner, `python manage.py test
blog`, in your own process, beside a copy of a blog project (the reference,
or a copy of it with one bug planted): only the exit code comes back."""

import functools

from learner_tools import pytest_run

RUN_DJANGO_TESTS = """
import subprocess
import sys


def test_manage_py_test_blog():
    done = subprocess.run(
        [sys.executable, "manage.py", "test", "blog", "--noinput"],
        capture_output=True,
        text=True,
        timeout=40,
    )
    assert done.returncode == 0, done.stderr[-1500:]
"""


@functools.cache
def run_your_tests(sources: tuple[tuple[str, str], ...]):
    files = {**dict(sources), "test_run_django_tests.py": RUN_DJANGO_TESTS}
    result = pytest_run(files=files, tests=["blog/tests.py"], timeout=45)
    return result["returncode"]
