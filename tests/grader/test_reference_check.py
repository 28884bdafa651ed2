"""An exercise's reference solution and starter, graded in the real sandbox."""

from pathlib import Path

import pytest

from grader.reference_check import exercise_reference_check, exercises_reference_check
from lessons.loader.check import content_check
from lessons.models import Exercise
from tests.support.courses import demo_course_files, tree_write

pytestmark = pytest.mark.docker

SOLUTION = "demo/exercises/demo-add/solution/calc.py"
STARTER = "demo/exercises/demo-add/starter/calc.py"


def demo_exercise(tmp_path: Path, **files: str) -> Exercise:
    """The demo exercise as lint_lessons builds it, with some files replaced."""
    tree_write(tmp_path, {**demo_course_files(), **files})
    check = content_check(path=tmp_path / "demo")
    assert check.errors == []
    spec = check.exercises[0]
    return Exercise(slug=spec.slug, **spec.values)


def test_a_good_exercise_has_no_problems(tmp_path: Path):
    checked = exercise_reference_check(exercise=demo_exercise(tmp_path))

    assert checked.problems == []
    assert checked.solution.score == "6/6"
    assert checked.solution.result["verdict"] == "passed"
    # The starter's `return 0` happens to pass test_add_zero.
    assert checked.starter.score == "1/6"
    assert 0 < checked.solution.seconds < 30
    assert checked.seconds == checked.solution.seconds + checked.starter.seconds


def test_a_solution_short_of_full_points_names_the_failing_tests(tmp_path: Path):
    exercise = demo_exercise(tmp_path, **{SOLUTION: "def add(a, b):\n    return a - b\n"})

    checked = exercise_reference_check(exercise=exercise)

    [problem] = checked.problems
    assert problem.startswith("reference solution gets 1/6 (failed), not full points: ")
    assert "test_add failed: " in problem
    assert "test_add failed: assert -1 == 3 (tests/test_calc.py:5: in test_add); " in problem
    assert "test_add_negative (hidden) failed: Think about negative numbers." in problem
    assert "\n" not in problem


def test_a_starter_that_passes_is_a_problem(tmp_path: Path):
    solution = demo_course_files()[SOLUTION]
    checked = exercise_reference_check(exercise=demo_exercise(tmp_path, **{STARTER: solution}))

    assert checked.problems == [
        "starter code passes every test (6/6); it must fail at least one, or there is nothing to do"
    ]


@pytest.mark.parametrize(
    ("starter", "verdict", "detail"),
    [
        ("def add(a, b)\n    return 0\n", "syntax_error", "calc.py"),
        ("# Write add(a, b) here.\n", "import_error", "add"),
    ],
)
def test_a_starter_that_does_not_import_is_a_problem(
    tmp_path: Path, starter: str, verdict: str, detail: str
):
    checked = exercise_reference_check(exercise=demo_exercise(tmp_path, **{STARTER: starter}))

    [problem] = checked.problems
    assert problem.startswith(f"starter code does not import cleanly ({verdict})")
    assert detail in problem
    assert "\n" not in problem


def test_exercises_are_checked_two_at_a_time_and_reported_in_order(tmp_path: Path):
    tree_write(tmp_path, demo_course_files(slug="one", exercise="one-add"))
    tree_write(tmp_path, demo_course_files(slug="two", exercise="two-add"))
    tree_write(tmp_path, demo_course_files(slug="three", exercise="three-add"))
    check = content_check(path=tmp_path)
    exercises = [Exercise(slug=spec.slug, **spec.values) for spec in check.exercises]

    checked = list(exercises_reference_check(exercises=exercises, workers=2))

    assert [result.slug for result in checked] == ["one-add", "three-add", "two-add"]
    assert all(result.problems == [] for result in checked)


def test_a_solution_that_stops_says_why_not_which_tests_did_not_run(tmp_path: Path):
    exercise = demo_exercise(tmp_path, **{SOLUTION: "import missing_module\n"})

    [problem] = exercise_reference_check(exercise=exercise).problems

    assert problem.startswith("reference solution gets 0/6 (import_error), not full points: ")
    assert "No module named 'missing_module'" in problem
    assert "Not run" not in problem
