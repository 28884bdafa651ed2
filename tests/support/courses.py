"""Course folders for tests: a small demo course written to a tmp_path, the
shipped content's place, and markers that must never reach a page."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Model

from lessons.models import Course, Exercise, Lesson, Module

SHIPPED_CONTENT = Path(settings.BASE_DIR) / "lessons" / "content"

# Markers that must never reach a lesson page.
SOLUTION_MARKER = "SOLUTION_MARKER_7f3a"
HIDDEN_MARKER = "HIDDEN_MARKER_c91e"


def demo_course_files(*, slug: str = "demo", exercise: str = "demo-add") -> dict[str, str]:
    """A valid two-module course with one exercise, as {relative path: text}."""
    return {
        f"{slug}/course.md": (
            "---\ntitle: Demo course\nsummary: For tests.\norder: 2\n---\nHello.\n"
        ),
        f"{slug}/01-basics/module.md": "---\ntitle: Basics\nsummary: The start.\n---\n",
        f"{slug}/01-basics/01-first.md": (
            f"---\ntitle: First lesson\nexercises: [{exercise}]\n---\n## Adding\n\nText.\n"
        ),
        f"{slug}/02-more/module.md": "---\ntitle: More\n---\n",
        f"{slug}/02-more/01-second.md": "---\ntitle: Second lesson\n---\n## Next\n\nMore.\n",
        f"{slug}/exercises/{exercise}/exercise.md": (
            "---\n"
            "title: Add two numbers\n"
            "limits:\n"
            "  wall_seconds: 5\n"
            "tests:\n"
            "  test_add: 2\n"
            "  test_add_negative:\n"
            "    points: 3\n"
            "    feedback: Think about negative numbers.\n"
            "hints:\n"
            "  - Use the + operator.\n"
            "---\n"
            "Write `add(a, b)`.\n"
        ),
        f"{slug}/exercises/{exercise}/starter/calc.py": (
            "def add(a, b):\n    return 0  # STARTER_MARKER\n"
        ),
        f"{slug}/exercises/{exercise}/solution/calc.py": (
            f"def add(a, b):\n    return a + b  # {SOLUTION_MARKER}\n"
        ),
        f"{slug}/exercises/{exercise}/tests/test_calc.py": (
            "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
        ),
        f"{slug}/exercises/{exercise}/hidden/test_calc_hidden.py": (
            "from calc import add\n\n\n"
            f"def test_add_negative():\n    assert add(-1, -2) == -3  # {HIDDEN_MARKER}\n\n\n"
            "def test_add_zero():\n    assert add(0, 0) == 0\n"
        ),
    }


def tree_write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def database_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the lesson tables, to show a failed load wrote nothing."""
    models: tuple[type[Model], ...] = (Course, Module, Lesson, Exercise)
    return {
        model.__name__: list(model._default_manager.order_by("pk").values()) for model in models
    }
