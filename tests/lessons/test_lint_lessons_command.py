"""`manage.py lint_lessons` without --run: one line per problem, file:line first.

The sandbox half (--run) is in tests/grader/test_lint_lessons_run.py.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

MANAGE = Path(settings.BASE_DIR) / "manage.py"
EXERCISE = "demo/exercises/demo-add"


def lint(*args: str) -> tuple[int, list[str]]:
    """Exit status and stdout lines of an in-process run."""
    out = StringIO()
    try:
        call_command("lint_lessons", *args, stdout=out)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    else:
        code = 0
    return code, out.getvalue().splitlines()


def test_clean_content_has_no_problems(demo_root: Path):
    code, lines = lint(str(demo_root))

    assert code == 0
    assert lines == ["Checked 1 course, 2 modules, 2 lessons, 1 exercise: no problems."]


def test_a_course_folder_can_be_linted_alone(demo_root: Path):
    assert lint(str(demo_root / "demo")) == (
        0,
        ["Checked 1 course, 2 modules, 2 lessons, 1 exercise: no problems."],
    )


def _rewrite(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))

    return change


def _remove_solution(root: Path) -> None:
    shutil.rmtree(root / EXERCISE / "solution")


def _unlist_exercise(root: Path) -> None:
    _rewrite("demo/01-basics/01-first.md", "exercises: [demo-add]\n", "")(root)


CASES = [
    pytest.param(
        _rewrite("demo/02-more/01-second.md", "title: Second lesson", "title: [Second"),
        "demo/02-more/01-second.md",
        3,
        "front matter is not valid YAML",
        id="malformed-front-matter",
    ),
    pytest.param(
        _remove_solution,
        f"{EXERCISE}/exercise.md",
        1,
        "folder solution/ is missing next to exercise.md",
        id="missing-solution",
    ),
    pytest.param(
        _rewrite("demo/02-more/01-second.md", "title: Second lesson", "title: Two\nslug: first"),
        "demo/02-more/01-second.md",
        3,
        "lesson slug 'first' is also used by",
        id="duplicate-slug",
    ),
    pytest.param(
        _rewrite("demo/01-basics/01-first.md", "[demo-add]", "[demo-add, demo-nope]"),
        "demo/01-basics/01-first.md",
        3,
        "unknown exercise 'demo-nope': no folder exercises/demo-nope/ in this course",
        id="unknown-exercise",
    ),
    pytest.param(
        _unlist_exercise,
        f"{EXERCISE}/exercise.md",
        1,
        "exercise 'demo-add' is not listed in any lesson's exercises",
        id="unreferenced-exercise",
    ),
    pytest.param(
        _rewrite("demo/02-more/01-second.md", "More.", "See [WSGI](02-wsgi.md#top)."),
        "demo/02-more/01-second.md",
        6,
        "link to '02-wsgi.md#top' does not resolve to a lesson of this course",
        id="unresolved-link",
    ),
    pytest.param(
        _rewrite(f"{EXERCISE}/exercise.md", "wall_seconds: 5", "wall_seconds: 600"),
        f"{EXERCISE}/exercise.md",
        4,
        "limit 'wall_seconds'=600 is above the platform maximum of 60",
        id="limit-above-maximum",
    ),
    pytest.param(
        _rewrite(f"{EXERCISE}/exercise.md", "test_add: 2", "test_add: two"),
        f"{EXERCISE}/exercise.md",
        6,
        "test 'test_add': points must be a number, not 'two'",
        id="points-not-a-number",
    ),
]


@pytest.mark.parametrize(("change", "path", "line", "message"), CASES)
def test_each_problem_is_one_line_at_its_file_and_line(
    demo_root: Path, change: Callable[[Path], None], path: str, line: int, message: str
):
    change(demo_root)

    code, lines = lint(str(demo_root))

    assert code == 1
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{demo_root / path}:{line}: "), lines
    assert message in lines[0]
    assert lines[1].endswith(": 1 problem.")


def test_every_problem_is_reported_and_the_summary_counts_them(demo_root: Path):
    _remove_solution(demo_root)
    _rewrite("demo/01-basics/01-first.md", "[demo-add]", "[demo-add, demo-nope]")(demo_root)
    _rewrite("demo/02-more/01-second.md", "More.", "See [WSGI](02-wsgi.md).")(demo_root)
    _rewrite(f"{EXERCISE}/exercise.md", "wall_seconds: 5", "wall_seconds: 600")(demo_root)
    _rewrite(f"{EXERCISE}/exercise.md", "test_add: 2", "test_add: two")(demo_root)

    code, lines = lint(str(demo_root))

    assert code == 1
    assert [line.split(": ")[0] for line in lines[:-1]] == [
        f"{demo_root / 'demo/01-basics/01-first.md'}:3",
        f"{demo_root / 'demo/02-more/01-second.md'}:6",
        f"{demo_root / EXERCISE / 'exercise.md'}:1",
        f"{demo_root / EXERCISE / 'exercise.md'}:4",
        f"{demo_root / EXERCISE / 'exercise.md'}:6",
    ]
    # The exercise with problems of its own is not counted as checked.
    assert lines[-1] == "Checked 1 course, 2 modules, 2 lessons, 0 exercises: 5 problems."


def test_usage_errors(demo_root: Path):
    with pytest.raises(CommandError, match="add --run"):
        call_command("lint_lessons", str(demo_root), "--only", "demo-add")
    with pytest.raises(CommandError, match="no exercise 'nope' that can be graded"):
        call_command("lint_lessons", str(demo_root), "--run", "--only", "nope")


def test_a_missing_folder_is_a_problem(tmp_path: Path):
    code, lines = lint(str(tmp_path / "nowhere"))

    assert code == 1
    assert lines[0] == f"{tmp_path / 'nowhere'}:1: no such folder"


@pytest.mark.django_db
def test_linting_writes_nothing(demo_root: Path, django_assert_num_queries):
    _unlist_exercise(demo_root)
    with django_assert_num_queries(0):
        assert lint(str(demo_root))[0] == 1


def test_real_exit_status_and_relative_paths(demo_root: Path, content_root: Path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO")},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "1",
            # No database at all: linting must not need one.
            "DATABASE_URL": "sqlite:////nonexistent/lectern.sqlite3",
        }
        return subprocess.run(
            [sys.executable, str(MANAGE), "lint_lessons", *args],
            env=env,
            cwd=content_root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    clean = run("demo")
    _unlist_exercise(demo_root)
    broken = run("demo")

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert broken.returncode == 1
    assert broken.stdout.splitlines() == [
        f"{EXERCISE}/exercise.md:1: exercise 'demo-add' is not listed in any lesson's exercises",
        "Checked 1 course, 2 modules, 2 lessons, 1 exercise: 1 problem.",
    ]
    assert broken.stderr == ""


def test_the_default_path_is_the_content_setting(demo_root: Path, settings):
    settings.LESSONS_CONTENT_DIR = demo_root
    assert lint()[0] == 0


def test_the_shipped_course_has_no_problems():
    code, lines = lint()

    assert code == 0, "\n".join(lines)
    assert lines[-1].endswith("no problems.")
