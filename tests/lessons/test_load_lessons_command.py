"""The command's exit status and output, from a real `manage.py` process.

In-process runs would close the test database connection on the way out
(BaseCommand.run_from_argv does), so these use their own SQLite file.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from lessons.models import Course
from tests.support.courses import SHIPPED_CONTENT, demo_course_files, tree_write

MANAGE = Path(settings.BASE_DIR) / "manage.py"


@pytest.fixture
def manage(tmp_path: Path):
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'command.sqlite3'}",
        "LESSONS_CONTENT_DIR": str(SHIPPED_CONTENT),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(MANAGE), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    migrated = run("migrate", "lessons", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    return run


def test_default_path_loads_the_shipped_content_and_exits_0(manage):
    first = manage("load_lessons")
    second = manage("load_lessons")

    assert first.returncode == 0, first.stderr
    [summary] = first.stdout.splitlines()
    created = re.search(r": (\d+) created, 0 updated, 0 unchanged, 0 deleted\.$", summary)
    assert summary.startswith("Loaded 1 course, ") and created, summary
    assert second.returncode == 0, second.stderr
    assert f"0 created, 0 updated, {created[1]} unchanged, 0 deleted." in second.stdout


def test_errors_go_to_stderr_one_per_line_and_exit_1(manage, content_root: Path, tmp_path: Path):
    tree_write(content_root, demo_course_files())
    module_md = content_root / "demo/02-more/module.md"
    module_md.write_text("---\nsummary: x\n---\n")
    lesson_md = content_root / "demo/01-basics/01-first.md"
    lesson_md.write_text("---\ntitle: First\nexercises: [demo-add, nope]\n---\n")

    result = manage("load_lessons", str(content_root))

    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    # Paths are shown relative to the working directory (tmp_path here), sorted.
    lesson_md, module_md = lesson_md.relative_to(tmp_path), module_md.relative_to(tmp_path)
    assert lines[:2] == [
        f"{lesson_md}:3: unknown exercise 'nope': no folder exercises/nope/ in this course",
        f"{module_md}:1: required field 'title' is missing",
    ]
    assert lines[2:] == ["CommandError: 2 problem(s); nothing was loaded."]


def test_missing_path_exits_1(manage, tmp_path: Path):
    result = manage("load_lessons", str(tmp_path / "missing"))

    assert result.returncode == 1
    assert result.stderr.startswith("missing:1: no such folder\n")


@pytest.mark.django_db
def test_one_course_folder_in_process(capsys, demo_root: Path):
    call_command("load_lessons", str(demo_root / "demo"))

    assert "2 lessons" in capsys.readouterr().out
    assert Course.objects.get().slug == "demo"


@pytest.mark.django_db
def test_errors_raise_command_error_with_status_1(demo_root: Path):
    (demo_root / "demo/course.md").write_text("---\ntitle: [\n---\n")

    with pytest.raises(CommandError) as caught:
        call_command("load_lessons", str(demo_root))

    assert caught.value.returncode == 1
    assert not Course.objects.exists()
