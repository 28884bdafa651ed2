"""Links between pages of a course are written as links to its .md files and
stored as the pages' URLs; those that lead nowhere are problems at file:line."""

from pathlib import Path

import pytest

from lessons.loader.check import content_check
from lessons.loader.report import ContentInvalid
from lessons.loader.sync import content_load, course_load
from lessons.models import Course, Exercise, Lesson, Module
from tests.support.courses import database_snapshot, demo_course_files, tree_write

pytestmark = pytest.mark.django_db

FIRST = "demo/01-basics/01-first.md"
SECOND = "demo/02-more/01-second.md"


def with_bodies(**bodies: str) -> dict[str, str]:
    """The demo course with the Markdown body of some files replaced."""
    files = demo_course_files()
    for name, body in bodies.items():
        path = {
            "first": FIRST,
            "second": SECOND,
            "course": "demo/course.md",
            "module": "demo/02-more/module.md",
            "exercise": "demo/exercises/demo-add/exercise.md",
        }[name]
        head, _, _ = files[path].rpartition("---\n")
        files[path] = head + "---\n" + body
    return files


def problems(root: Path) -> list[str]:
    return [str(error) for error in content_check(path=root).errors]


def test_links_to_md_files_are_stored_as_page_urls(content_root: Path):
    tree_write(
        content_root,
        with_bodies(
            first=(
                "See [the next lesson](../02-more/01-second.md),\n"
                "[its part](../02-more/01-second.md#next),\n"
                "[the course](../course.md) and [the module](../02-more/module.md).\n"
            ),
            second="Back to [the first](../01-basics/01-first.md#adding), [here](01-second.md).\n",
            exercise="Read [the lesson](../../01-basics/01-first.md) first.\n",
        ),
    )

    content_load(root=content_root)

    first = Lesson.objects.get(slug="first").body_html
    assert 'href="/courses/demo/second/"' in first
    assert 'href="/courses/demo/second/#next"' in first
    assert first.count('href="/courses/demo/"') == 2
    second = Lesson.objects.get(slug="second").body_html
    assert 'href="/courses/demo/first/#adding"' in second
    assert 'href="/courses/demo/second/"' in second
    instructions = Exercise.objects.get(slug="demo-add").instructions_html
    assert 'href="/courses/demo/first/"' in instructions
    assert ".md" not in first + second + instructions


def test_a_slug_override_is_followed(content_root: Path):
    files = with_bodies(first="Go [on](../02-more/01-second.md).\n")
    files[SECOND] = "---\ntitle: Second lesson\nslug: renamed\n---\nMore.\n"
    tree_write(content_root, files)

    content_load(root=content_root)

    assert 'href="/courses/demo/renamed/"' in Lesson.objects.get(slug="first").body_html


def test_external_links_anchors_and_other_files_are_left_alone(content_root: Path):
    body = (
        "[web](https://example.com/a.md) [mail](mailto:a@example.com) [top](#adding)\n"
        "[image file](diagram.png) [absolute](/static/css/site.css)\n"
    )
    tree_write(content_root, with_bodies(first=body))

    content_load(root=content_root)

    html = Lesson.objects.get(slug="first").body_html
    for href in (
        "https://example.com/a.md",
        "mailto:a@example.com",
        "#adding",
        "diagram.png",
        "/static/css/site.css",
    ):
        assert f'href="{href}"' in html


def test_absolute_links_to_existing_pages_are_accepted(content_root: Path):
    body = "[a](/courses/demo/) [b](/courses/demo/second/) [c](/courses/demo/second/#next)\n"
    tree_write(content_root, with_bodies(first=body))

    assert problems(content_root) == []


def test_a_link_that_does_not_resolve_is_a_problem_at_its_line(content_root: Path):
    # Front matter is 4 lines; the body's third line is line 7 of the file.
    body = "Text.\n\nSee [ASGI](03-asgi.md#top) and\n[again](03-asgi.md#top).\n"
    tree_write(content_root, with_bodies(first=body))
    lesson = content_root / FIRST

    assert problems(content_root) == [
        f"{lesson}:7: link to '03-asgi.md#top' does not resolve to a lesson of this course",
        f"{lesson}:8: link to '03-asgi.md#top' does not resolve to a lesson of this course",
    ]


def test_reference_style_links_are_resolved_and_located(content_root: Path):
    body = (
        "See [the next one][next] and [a broken one][gone].\n\n"
        "[next]: ../02-more/01-second.md\n"
        "[gone]: nope.md\n"
    )
    tree_write(content_root, with_bodies(first=body))

    assert problems(content_root) == [
        f"{content_root / FIRST}:8: link to 'nope.md' does not resolve to a lesson of this course"
    ]


def test_links_to_missing_pages_in_every_kind_of_file(content_root: Path):
    tree_write(
        content_root,
        with_bodies(
            course="[x](01-basics/99-nothing.md)\n",
            module="[x](../exercises/demo-add/exercise.md)\n",
            exercise="[x](/courses/demo/nothing/)\n",
            second="[x](/courses/other-course/)\n",
        ),
    )

    assert problems(content_root) == [
        f"{content_root / 'demo/02-more/01-second.md'}:4: link to '/courses/other-course/': "
        "there is no course 'other-course'",
        f"{content_root / 'demo/02-more/module.md'}:4: link to "
        "'../exercises/demo-add/exercise.md' does not resolve to a lesson of this course",
        f"{content_root / 'demo/course.md'}:6: link to '01-basics/99-nothing.md' does not "
        "resolve to a lesson of this course",
        f"{content_root / 'demo/exercises/demo-add/exercise.md'}:13: link to "
        "'/courses/demo/nothing/': course 'demo' has no lesson 'nothing'",
    ]


def test_a_link_into_another_course_is_a_problem(content_root: Path):
    tree_write(content_root, with_bodies(first="[x](../../other/01-basics/01-first.md)\n"))
    tree_write(content_root, demo_course_files(slug="other", exercise="other-add"))

    assert problems(content_root) == [
        f"{content_root / FIRST}:5: link to '../../other/01-basics/01-first.md' does not "
        "resolve to a lesson of this course"
    ]


def test_one_course_may_link_to_other_courses_it_cannot_see(content_root: Path):
    tree_write(content_root, with_bodies(first="[x](/courses/elsewhere/lesson/)\n"))

    assert problems(content_root / "demo") == []
    assert len(problems(content_root)) == 1


def test_a_link_to_an_unreadable_lesson_is_not_reported_twice(content_root: Path):
    files = with_bodies(first="[x](../02-more/01-second.md)\n")
    files[SECOND] = "---\ntitle: [broken\n---\n"
    tree_write(content_root, files)

    found = problems(content_root)

    assert len(found) == 1
    assert "front matter is not valid YAML" in found[0]


def test_a_bad_link_loads_nothing(content_root: Path):
    tree_write(content_root, demo_course_files())
    content_load(root=content_root)
    before = database_snapshot()
    (content_root / SECOND).write_text("---\ntitle: Second\n---\n[x](nowhere.md)\n")

    with pytest.raises(ContentInvalid):
        course_load(path=content_root / "demo")

    assert database_snapshot() == before


def test_content_check_reads_a_course_or_a_folder_of_courses_without_the_database(
    content_root: Path, django_assert_num_queries
):
    tree_write(content_root, demo_course_files())

    with django_assert_num_queries(0):
        whole = content_check(path=content_root)
        one = content_check(path=content_root / "demo")

    assert whole.whole_site and not one.whole_site
    assert whole.errors == one.errors == []
    assert [course.slug for course in whole.courses] == [course.slug for course in one.courses]
    assert [exercise.slug for exercise in one.exercises] == ["demo-add"]
    assert one.exercises[0].values["instructions_html"] == "<p>Write <code>add(a, b)</code>.</p>"
    assert not (Course.objects.exists() or Module.objects.exists())
