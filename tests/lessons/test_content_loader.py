import re
import shutil
from pathlib import Path

import pytest

from grader.models import Submission
from lessons.loader.report import ContentInvalid
from lessons.loader.sync import content_load, course_load
from lessons.models import Course, Exercise, Lesson, Module
from tests.support.courses import (
    SHIPPED_CONTENT,
    database_snapshot,
    demo_course_files,
    tree_write,
)

pytestmark = pytest.mark.django_db


# --- The shipped course -------------------------------------------------------------


def test_loads_the_shipped_course():
    report = content_load(root=SHIPPED_CONTENT)

    course = Course.objects.get(slug="python-backend")
    # The size the course promises: at least 7 modules, 18 lessons and 16 exercises.
    assert course.modules.count() >= 7
    assert course.lessons.count() >= 18
    assert course.exercises.count() >= 16
    assert report.created == 1 + course.modules.count() + course.lessons.count() + (
        course.exercises.count()
    )
    # Every lesson ends with an exercise or a "Check yourself" section.
    for each in course.lessons.all():
        assert each.exercises.exists() or "Check yourself" in each.body_html, each.slug
    assert course.title and course.body_html
    lesson = Lesson.objects.get(course=course, slug="hello-flask")
    assert lesson.module.slug == "frameworks"
    assert "<table>" in lesson.body_html
    assert 'class="highlight"' in lesson.body_html
    assert "admonition" in lesson.body_html
    assert lesson.toc_html
    exercise = Exercise.objects.get(slug="flask-hello-world")
    assert exercise.lesson == lesson
    assert exercise.course == course
    assert exercise.accepted_files == ["app.py"]
    assert "Flask(__name__)" in exercise.starter_files["app.py"]
    assert '"/hello"' in exercise.solution_files["app.py"]
    assert set(exercise.visible_test_files) == {"test_app.py"}
    assert set(exercise.hidden_test_files) == {"test_app_hidden.py"}
    assert exercise.limits == {"wall_seconds": 10}
    assert len(exercise.hints) >= 2
    assert exercise.instructions_html.startswith("<p>")
    names = [(t["name"], t["visibility"]) for t in exercise.tests]
    assert names[:2] == [
        ("test_hello_returns_200", "visible"),
        ("test_hello_returns_json_message", "visible"),
    ]
    assert {v for _, v in names[2:]} == {"hidden"}
    assert exercise.max_score == sum(t["points"] for t in exercise.tests) > len(exercise.tests)


def test_loading_twice_changes_nothing():
    content_load(root=SHIPPED_CONTENT)
    before = database_snapshot()

    report = content_load(root=SHIPPED_CONTENT)

    assert (report.created, report.updated, report.deleted) == (0, 0, 0)
    total = sum(len(rows) for rows in before.values())
    assert report.unchanged == total
    assert database_snapshot() == before
    assert f"0 created, 0 updated, {total} unchanged, 0 deleted" in report.summary()


# --- Changes ----------------------------------------------------------------------------


def test_demo_course_loads_with_order_points_and_feedback(demo_root: Path):
    report = content_load(root=demo_root)

    assert (report.courses.created, report.modules.created) == (1, 2)
    assert (report.lessons.created, report.exercises.created) == (2, 1)
    course = Course.objects.get(slug="demo")
    assert course.order == 2
    modules = list(Module.objects.filter(course=course).order_by("order"))
    assert [(m.slug, m.order, m.summary) for m in modules] == [
        ("basics", 1, "The start."),
        ("more", 2, ""),
    ]
    exercise = Exercise.objects.get(slug="demo-add")
    assert [(t["name"], t["points"], t["feedback"]) for t in exercise.tests] == [
        ("test_add", 2, ""),
        ("test_add_negative", 3, "Think about negative numbers."),
        ("test_add_zero", 1, ""),
    ]
    assert exercise.tests[0]["file"] == "test_calc.py"
    assert exercise.order == 1


def test_a_packages_init_file_is_content_and_tooling_litter_is_not(demo_root: Path):
    starter = demo_root / "demo/exercises/demo-add/starter"
    tree_write(
        starter,
        {
            "shop/__init__.py": "",
            "shop/migrations/__init__.py": "",
            "shop/__pycache__/models.cpython-311.pyc": "litter",
            "_notes.txt": "litter",
        },
    )
    (demo_root / "demo/exercises/demo-add/solution/shop/migrations").mkdir(parents=True)
    for name in ("shop/__init__.py", "shop/migrations/__init__.py"):
        (demo_root / "demo/exercises/demo-add/solution" / name).write_text("")

    content_load(root=demo_root)

    exercise = Exercise.objects.get(slug="demo-add")
    assert sorted(exercise.starter_files) == [
        "calc.py",
        "shop/__init__.py",
        "shop/migrations/__init__.py",
    ]


def test_a_changed_file_updates_only_what_changed(demo_root: Path):
    content_load(root=demo_root)
    lesson_file = demo_root / "demo/01-basics/01-first.md"
    lesson_file.write_text(lesson_file.read_text().replace("Text.", "New text."))
    starter = demo_root / "demo/exercises/demo-add/starter/calc.py"
    starter.write_text("def add(a, b):\n    pass\n")

    report = content_load(root=demo_root)

    assert (report.lessons.updated, report.exercises.updated) == (1, 1)
    assert report.unchanged == 4
    assert "New text." in Lesson.objects.get(slug="first").body_html
    assert Exercise.objects.get().starter_files["calc.py"] == "def add(a, b):\n    pass\n"
    assert report.courses.unchanged == 1


def test_items_removed_from_disk_are_deleted(demo_root: Path):
    content_load(root=demo_root)
    shutil.rmtree(demo_root / "demo/02-more")

    report = content_load(root=demo_root)

    assert (report.modules.deleted, report.lessons.deleted) == (1, 1)
    assert list(Module.objects.values_list("slug", flat=True)) == ["basics"]
    assert list(Lesson.objects.values_list("slug", flat=True)) == ["first"]


def test_courses_removed_from_disk_are_deleted(content_root: Path):
    tree_write(content_root, demo_course_files())
    tree_write(content_root, demo_course_files(slug="other", exercise="other-add"))
    content_load(root=content_root)
    assert Course.objects.count() == 2

    shutil.rmtree(content_root / "other")
    report = content_load(root=content_root)

    assert (report.courses.deleted, report.modules.deleted) == (1, 2)
    assert (report.lessons.deleted, report.exercises.deleted) == (2, 1)
    assert list(Course.objects.values_list("slug", flat=True)) == ["demo"]
    assert not Exercise.objects.filter(slug="other-add").exists()


def test_exercise_with_submissions_is_kept_but_detached(demo_root: Path):
    content_load(root=demo_root)
    exercise = Exercise.objects.get(slug="demo-add")
    Submission.objects.create(exercise=exercise, files={"calc.py": ""})
    lesson_file = demo_root / "demo/01-basics/01-first.md"
    lesson_file.write_text(lesson_file.read_text().replace("exercises: [demo-add]", ""))
    exercise_dir = demo_root / "demo/exercises/demo-add"
    shutil.rmtree(exercise_dir)

    report = content_load(root=demo_root)

    exercise.refresh_from_db()
    assert exercise.lesson is None
    assert report.exercises.deleted == 0
    assert any("demo-add" in kept for kept in report.kept)
    assert "Kept:" in report.summary()
    # And again: still kept, nothing else changes.
    again = content_load(root=demo_root)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)


def test_an_exercise_can_move_between_courses_in_one_load(content_root: Path):
    tree_write(content_root, demo_course_files())
    content_load(root=content_root)
    shutil.rmtree(content_root / "demo")
    tree_write(content_root, demo_course_files(slug="other", exercise="demo-add"))

    content_load(root=content_root)

    assert Exercise.objects.get(slug="demo-add").course.slug == "other"
    assert list(Course.objects.values_list("slug", flat=True)) == ["other"]


def test_course_load_leaves_other_courses_alone(content_root: Path):
    tree_write(content_root, demo_course_files())
    tree_write(content_root, demo_course_files(slug="other", exercise="other-add"))
    content_load(root=content_root)

    report = course_load(path=content_root / "other")

    assert report.unchanged == 6
    assert Course.objects.count() == 2


# --- Errors: every one names file:line and writes nothing -----------------------------


def load_errors(root: Path) -> list[str]:
    with pytest.raises(ContentInvalid) as caught:
        content_load(root=root)
    return [str(error) for error in caught.value.errors]


def assert_error(errors: list[str], path: Path, line: int, pattern: str) -> None:
    """Exactly one problem, at path:line, whose message matches `pattern`."""
    assert len(errors) == 1, errors
    prefix = f"{path}:{line}: "
    assert errors[0].startswith(prefix), errors
    assert re.search(pattern, errors[0][len(prefix) :]), errors


@pytest.fixture
def loaded_demo(demo_root: Path):
    """The demo course loaded; returns the root and a snapshot of the database."""
    content_load(root=demo_root)
    return demo_root, database_snapshot()


def test_malformed_front_matter(loaded_demo):
    root, before = loaded_demo
    lesson = root / "demo/01-basics/01-first.md"
    lesson.write_text("---\ntitle: First\nexercises: [demo-add\n---\nBody\n")

    errors = load_errors(root)

    assert len(errors) == 1
    assert re.match(rf"^{re.escape(str(lesson))}:[34]: front matter is not valid YAML", errors[0])
    assert database_snapshot() == before


def test_missing_required_field(loaded_demo):
    root, before = loaded_demo
    (root / "demo/02-more/module.md").write_text("---\nsummary: no title\n---\n")

    errors = load_errors(root)

    assert_error(errors, root / "demo/02-more/module.md", 1, "required field 'title' is missing")
    assert database_snapshot() == before


def test_missing_required_file(loaded_demo):
    root, before = loaded_demo
    (root / "demo/02-more/module.md").unlink()

    errors = load_errors(root)

    assert_error(errors, root / "demo/02-more/module.md", 1, "file is missing")
    assert database_snapshot() == before


def test_missing_starter_folder(loaded_demo):
    root, before = loaded_demo
    starter = root / "demo/exercises/demo-add/starter"
    (starter / "calc.py").unlink()
    starter.rmdir()

    errors = load_errors(root)

    assert_error(errors, root / "demo/exercises/demo-add/exercise.md", 1, r"starter/ is missing")
    assert database_snapshot() == before


def test_unknown_exercise_reference(loaded_demo):
    root, before = loaded_demo
    (root / "demo/02-more/01-second.md").write_text(
        "---\ntitle: Second\nexercises:\n  - nope\n---\n"
    )

    errors = load_errors(root)

    assert_error(errors, root / "demo/02-more/01-second.md", 4, "unknown exercise 'nope'")
    assert database_snapshot() == before


def test_exercise_listed_by_two_lessons(loaded_demo):
    root, before = loaded_demo
    (root / "demo/02-more/01-second.md").write_text(
        "---\ntitle: Second\nexercises: [demo-add]\n---\n"
    )

    errors = load_errors(root)

    assert_error(errors, root / "demo/02-more/01-second.md", 3, "already belongs to lesson")
    assert database_snapshot() == before


def test_exercise_in_no_lesson(loaded_demo):
    root, before = loaded_demo
    files = demo_course_files(exercise="lonely")
    tree_write(root, {k: v for k, v in files.items() if "/exercises/" in k})

    errors = load_errors(root)

    assert_error(errors, root / "demo/exercises/lonely/exercise.md", 1, "not listed in any lesson")
    assert database_snapshot() == before


def test_duplicate_exercise_slug_across_courses(loaded_demo):
    root, before = loaded_demo
    tree_write(root, demo_course_files(slug="other", exercise="demo-add"))

    errors = load_errors(root)

    assert any(
        re.match(r".*/exercises/demo-add/exercise\.md:1: exercise slug 'demo-add' is also used", e)
        for e in errors
    ), errors
    assert database_snapshot() == before


def test_duplicate_exercise_slug_against_the_database_in_course_load(loaded_demo):
    root, before = loaded_demo
    other = tree_write(
        root.parent / "elsewhere", demo_course_files(slug="other", exercise="demo-add")
    )

    with pytest.raises(ContentInvalid) as caught:
        course_load(path=other / "other")

    assert "already used by course 'demo'" in str(caught.value)
    assert database_snapshot() == before


def test_duplicate_lesson_slug(loaded_demo):
    root, before = loaded_demo
    (root / "demo/02-more/02-first.md").write_text("---\ntitle: Again\n---\n")

    errors = load_errors(root)

    assert_error(errors, root / "demo/02-more/02-first.md", 1, "lesson slug 'first' is also used")
    assert database_snapshot() == before


def test_bad_limit(loaded_demo):
    root, before = loaded_demo
    exercise_md = root / "demo/exercises/demo-add/exercise.md"
    exercise_md.write_text(
        exercise_md.read_text().replace(
            "  wall_seconds: 5\n", "  wall_seconds: 5\n  memory_mb: 1\n"
        )
    )

    errors = load_errors(root)

    assert_error(errors, exercise_md, 5, "memory_mb.*below the minimum")
    assert database_snapshot() == before


def test_unknown_limit(loaded_demo):
    root, before = loaded_demo
    exercise_md = root / "demo/exercises/demo-add/exercise.md"
    exercise_md.write_text(exercise_md.read_text().replace("wall_seconds: 5", "disk_gb: 5"))

    assert_error(load_errors(root), exercise_md, 4, "unknown limit 'disk_gb'")
    assert database_snapshot() == before


def test_points_for_an_unknown_test(loaded_demo):
    root, before = loaded_demo
    exercise_md = root / "demo/exercises/demo-add/exercise.md"
    exercise_md.write_text(exercise_md.read_text().replace("test_add: 2", "test_ad: 2"))

    assert_error(load_errors(root), exercise_md, 6, "points are given for 'test_ad'")
    assert database_snapshot() == before


def test_syntax_error_in_a_hidden_test_file(loaded_demo):
    root, before = loaded_demo
    hidden = root / "demo/exercises/demo-add/hidden/test_calc_hidden.py"
    hidden.write_text("def test_ok():\n    pass\n\ndef test_bad(:\n")

    assert_error(load_errors(root), hidden, 4, "syntax error")
    assert database_snapshot() == before


def test_unknown_front_matter_field(loaded_demo):
    root, before = loaded_demo
    exercise_md = root / "demo/exercises/demo-add/exercise.md"
    exercise_md.write_text(exercise_md.read_text().replace("hints:", "hint:"))

    assert_error(load_errors(root), exercise_md, 10, "unknown field 'hint'")
    assert database_snapshot() == before


def test_learner_file_may_not_be_a_conftest(loaded_demo):
    root, before = loaded_demo
    exercise_md = root / "demo/exercises/demo-add/exercise.md"
    exercise_md.write_text(
        exercise_md.read_text().replace("limits:", "files: [calc.py, conftest.py]\nlimits:")
    )

    assert_error(load_errors(root), exercise_md, 3, "'conftest.py' must not be a conftest")
    assert database_snapshot() == before


def test_learner_file_must_be_a_name_a_learner_could_submit(loaded_demo):
    # The submission check refuses names this long: such an exercise could never be passed.
    root, before = loaded_demo
    exercise_md = root / "demo/exercises/demo-add/exercise.md"
    long_name = "a" * 200 + ".py"
    exercise_md.write_text(
        exercise_md.read_text().replace("limits:", f"files: [calc.py, {long_name}]\nlimits:")
    )

    assert_error(load_errors(root), exercise_md, 3, "is longer than 200 characters")
    assert database_snapshot() == before


def test_learner_file_may_be_a_test_file_unless_it_shadows_a_test_module(loaded_demo):
    root, _ = loaded_demo
    exercise = root / "demo/exercises/demo-add"
    (exercise / "starter/test_mine.py").write_text("def test_mine():\n    assert True\n")
    (exercise / "solution/test_mine.py").write_text("def test_mine():\n    assert True\n")
    report = content_load(root=root)
    assert Exercise.objects.get(slug="demo-add").accepted_files == ["calc.py", "test_mine.py"]
    assert report.exercises.updated == 1

    (exercise / "starter/test_calc.py").write_text("x = 1\n")
    (exercise / "solution/test_calc.py").write_text("x = 1\n")
    errors = load_errors(root)
    assert any("'test_calc.py' has the same module name as a test file" in e for e in errors)


def test_visible_and_hidden_test_modules_may_not_share_a_name(loaded_demo):
    root, before = loaded_demo
    hidden = root / "demo/exercises/demo-add/hidden"
    (hidden / "test_calc_hidden.py").rename(hidden / "test_calc.py")

    assert_error(load_errors(root), hidden / "test_calc.py", 1, "pytest cannot import both")
    assert database_snapshot() == before


def test_unexpected_folder_in_a_course(loaded_demo):
    root, before = loaded_demo
    (root / "demo/basics-without-prefix").mkdir()

    assert_error(load_errors(root), root / "demo/basics-without-prefix", 1, "unexpected folder")
    assert database_snapshot() == before


def test_file_that_is_not_utf8(loaded_demo):
    root, before = loaded_demo
    starter = root / "demo/exercises/demo-add/starter/calc.py"
    starter.write_bytes(b"# ok\n# caf\xe9\n")

    assert_error(load_errors(root), starter, 2, "not UTF-8")
    assert database_snapshot() == before


def test_all_problems_are_reported_at_once(loaded_demo):
    root, before = loaded_demo
    (root / "demo/02-more/module.md").write_text("---\nsummary: no title\n---\n")
    (root / "demo/02-more/01-second.md").write_text("---\ntitle: S\nexercises: [nope]\n---\n")

    assert len(load_errors(root)) == 2
    assert database_snapshot() == before


def test_an_empty_root_is_an_error_not_a_mass_deletion(loaded_demo, tmp_path: Path):
    _, before = loaded_demo
    empty = tmp_path / "empty"
    empty.mkdir()

    assert_error(load_errors(empty), empty, 1, "no course folders")
    assert_error(load_errors(tmp_path / "missing"), tmp_path / "missing", 1, "no such folder")
    assert database_snapshot() == before


def test_show_solution_is_true_or_false(loaded_demo):
    root, before = loaded_demo
    exercise_md = root / "demo/exercises/demo-add/exercise.md"
    text = exercise_md.read_text()
    exercise_md.write_text(text.replace("limits:", "show_solution: sometimes\nlimits:"))

    assert_error(load_errors(root), exercise_md, 3, "'show_solution' must be true or false")
    assert database_snapshot() == before

    exercise_md.write_text(text.replace("limits:", "show_solution: false\nlimits:"))
    content_load(root=root)
    assert Exercise.objects.get(slug="demo-add").solution_shown_after_pass is False
