"""`manage.py lint_lessons --run` as an author runs it: a separate process,
grading a small fixture course's solution and starter in the real sandbox."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.courses import demo_course_files, tree_write

pytestmark = pytest.mark.docker

MANAGE = Path(settings.BASE_DIR) / "manage.py"
EXERCISE_MD = "demo/exercises/demo-add/exercise.md"
SOLUTION = "demo/exercises/demo-add/solution/calc.py"
STARTER = "demo/exercises/demo-add/starter/calc.py"
TIMES = r"solution (\d+/\d+) \((\d+\.\d) s\), starter (\d+/\d+) \((\d+\.\d) s\)"


def lint_run(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        # Linting never needs the database: make sure it does not use one.
        "DATABASE_URL": "sqlite:////nonexistent/lectern.sqlite3",
        **env,
    }
    return subprocess.run(
        [sys.executable, str(MANAGE), "lint_lessons", "--run", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_a_correct_exercise_passes_and_reports_its_times(tmp_path: Path):
    tree_write(tmp_path, demo_course_files())

    finished = lint_run(tmp_path, "demo")

    assert finished.returncode == 0, finished.stdout + finished.stderr
    first, summary = finished.stdout.splitlines()
    match = re.fullmatch(f"demo-add: {TIMES}", first)
    assert match is not None, first
    assert match.group(1) == "6/6"
    assert match.group(3) == "1/6"
    assert 0 < float(match.group(2)) < 60
    assert re.fullmatch(
        r"Checked 1 course, 2 modules, 2 lessons, 1 exercise, 1 graded in \d+\.\d s: no problems\.",
        summary,
    )


def test_a_failing_solution_is_a_problem_naming_the_test(tmp_path: Path):
    tree_write(tmp_path, {**demo_course_files(), SOLUTION: "def add(a, b):\n    return a * b\n"})

    finished = lint_run(tmp_path, "demo")

    assert finished.returncode == 1
    lines = finished.stdout.splitlines()
    assert len(lines) == 3, lines
    assert re.fullmatch(f"demo-add: {TIMES}", lines[0])
    assert lines[1].startswith(
        f"{EXERCISE_MD}:1: reference solution gets 1/6 (failed), not full points: "
        "test_add failed: assert 2 == 3"
    )
    assert "test_add_negative (hidden) failed: Think about negative numbers." in lines[1]
    assert lines[2].endswith(": 1 problem.")


def test_a_passing_starter_is_a_problem(tmp_path: Path):
    files = demo_course_files()
    tree_write(tmp_path, {**files, STARTER: files[SOLUTION]})

    finished = lint_run(tmp_path, "demo")

    assert finished.returncode == 1
    assert f"{EXERCISE_MD}:1: starter code passes every test (6/6)" in finished.stdout


def test_only_grades_the_named_exercises(tmp_path: Path):
    tree_write(tmp_path, demo_course_files(slug="one", exercise="one-add"))
    tree_write(tmp_path, demo_course_files(slug="two", exercise="two-add"))

    finished = lint_run(tmp_path, ".", "--only", "two-add")

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert [line.split(":")[0] for line in finished.stdout.splitlines()[:-1]] == ["two-add"]
    assert ", 2 exercises, 1 graded in " in finished.stdout


def test_no_docker_engine_exits_3_with_one_line(tmp_path: Path):
    tree_write(tmp_path, demo_course_files())

    finished = lint_run(tmp_path, "demo", DOCKER_HOST="unix:///nonexistent.sock")

    assert finished.returncode == 3
    assert finished.stdout == ""
    [line] = finished.stderr.strip().splitlines()
    assert "No Docker engine answers at unix:///nonexistent.sock" in line
