"""A course written the way a public practice track writes its exercises
(tests/content/public_track/), graded for real by `lint_lessons --run`.

Its test files are what such a track ships: `<name>_test.py` files of
`unittest.TestCase` classes not named `Test…`, setUp/tearDown and setUpClass,
subTest loops and pytest's `subtests` fixture, parametrize, assertRaises with
an exception class the learner defines, a helper module beside the tests,
callbacks into learner code, classes with operators, and a skipped
extra-credit test. Every reference must get full points and every stub must
fail, as they would under plain pytest.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from grader.results import result_build
from lessons.loader.check import content_check
from lessons.models import Exercise
from sandboxes.harness import HarnessMode
from sandboxes.limits import limits_resolve
from sandboxes.runner import SandboxJob, sandbox_run

pytestmark = pytest.mark.docker

BASE_DIR = Path(settings.BASE_DIR)
COURSE = Path("tests") / "content" / "public_track"
# Each exercise's maximum score: the points of the tests it counts. Roman
# numerals' skipped extra-credit test is not among them.
MAX_SCORES = {
    "accumulate": 9,
    "clock": 17,
    "perfect-numbers": 11,
    "roman-numerals": 9,
    "simple-stack": 13,
    "two-fer": 6,
}
SCORES = re.compile(
    r"(?P<slug>[a-z-]+): solution (?P<solution>[\d.]+)/(?P<solution_max>[\d.]+) \([\d.]+ s\), "
    r"starter (?P<starter>[\d.]+)/(?P<starter_max>[\d.]+) \([\d.]+ s\)"
)


def lint_run(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        # Linting never needs the database: make sure it does not use one.
        "DATABASE_URL": "sqlite:////nonexistent/lectern.sqlite3",
    }
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "lint_lessons", "--run", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def course_exercise(slug: str) -> Exercise:
    """One exercise of the course, as lint_lessons builds it from the files."""
    check = content_check(path=BASE_DIR / COURSE)
    assert check.errors == []
    [spec] = [spec for spec in check.exercises if spec.slug == slug]
    return Exercise(slug=spec.slug, **spec.values)


def solution_grade(exercise: Exercise) -> dict[str, Any]:
    """The result document of the exercise's reference solution, graded as a
    learner's submission is."""
    limits = limits_resolve(exercise.limits)
    job = SandboxJob(
        files=exercise.solution_files,
        visible_tests=exercise.visible_test_files,
        hidden_tests=exercise.hidden_test_files,
        limits=limits,
        harness=HarnessMode.from_dict(exercise.harness),
    )
    return result_build(tests_spec=exercise.tests, run=sandbox_run(job), limits=limits)


def test_every_reference_gets_full_points_and_every_starter_fails():
    finished = lint_run(str(COURSE))

    lines = finished.stdout.splitlines()
    assert finished.returncode == 0, finished.stdout + finished.stderr
    scores = {match["slug"]: match for line in lines if (match := SCORES.fullmatch(line))}
    assert sorted(scores) == sorted(MAX_SCORES), finished.stdout
    for slug, match in scores.items():
        maximum = float(match["solution_max"])
        assert maximum == MAX_SCORES[slug], f"{slug}: {match[0]}"
        assert float(match["solution"]) == maximum, f"{slug}: {match[0]}"
        assert float(match["starter_max"]) == maximum, f"{slug}: {match[0]}"
        assert float(match["starter"]) < maximum, f"{slug}: {match[0]}"
    assert len(lines) == len(MAX_SCORES) + 1, finished.stdout
    assert re.fullmatch(
        r"Checked 1 course, 1 module, 2 lessons, 6 exercises, 6 graded in \d+\.\d s: no problems\.",
        lines[-1],
    )


def test_the_extra_credit_test_is_skipped_and_left_out_of_the_maximum():
    exercise = course_exercise("roman-numerals")

    result = solution_grade(exercise)

    tests = {test["name"]: test for test in result["tests"]}
    skipped = tests["RomanNumeralsTest.test_parse_reads_a_numeral_back"]
    assert skipped["status"] == "skip"
    assert skipped["message"] == "skipped by the exercise: extra-credit"
    assert (skipped["points"], skipped["max_points"]) == (0, 0)
    others = [test for name, test in tests.items() if test is not skipped]
    assert len(others) == 6
    assert all(test["status"] == "pass" for test in others), others
    assert result["max_score"] == sum(test["max_points"] for test in others) == 9
    assert result["score"] == result["max_score"]
    assert (result["status"], result["verdict"]) == ("pass", "passed")
    assert result["message"] == "All 6 tests passed (1 skipped by the exercise)."
