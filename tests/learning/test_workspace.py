"""An exercise's own page, the learner's workspace (docs/editor.md): one
exercise of one lesson, with the same widget, templates and script as the
lesson page."""

import html
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from lessons.loader.sync import content_load
from tests.support.courses import HIDDEN_MARKER, SOLUTION_MARKER

pytestmark = pytest.mark.django_db


def workspace_url(course: str = "demo", lesson: str = "first", exercise: str = "demo-add") -> str:
    return reverse(
        "learning:exercise",
        kwargs={"course_slug": course, "lesson_slug": lesson, "exercise_slug": exercise},
    )


@pytest.fixture
def demo(demo_root: Path) -> Path:
    content_load(root=demo_root)
    return demo_root


def test_the_url_sits_under_the_lesson(demo: Path) -> None:
    assert workspace_url() == "/courses/demo/first/exercises/demo-add/"


def test_workspace_shows_one_exercise_with_the_widget(client: Client, demo: Path) -> None:
    response = client.get(workspace_url())

    assert response.status_code == 200
    text = response.text
    assert text.count('class="exercise exercise--workspace workspace"') == 1
    assert 'id="exercise-demo-add"' in text
    assert 'data-submit-url="/exercises/demo-add/submissions/"' in text
    assert 'data-role="status"' in text
    assert 'aria-live="polite"' in text
    assert 'data-filename="calc.py"' in text
    assert "return 0  # STARTER_MARKER" in html.unescape(text)
    assert "tests/test_calc.py" in text
    # The same templates, words and scripts as the lesson page.
    assert 'id="lectern-verdict-words"' in text
    assert '<template data-template="test-result">' in text
    assert 'src="/static/editor/editor.js"' in text
    assert 'src="/static/js/exercise.js"' in text
    assert "csrftoken" in response.cookies
    # The separator between the panes, for split.js.
    assert 'role="separator"' in text
    assert 'aria-valuenow="40"' in text


def test_workspace_has_breadcrumbs_to_the_lesson_and_course(client: Client, demo: Path) -> None:
    text = client.get(workspace_url()).text
    crumbs = text.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]

    assert 'href="/courses/demo/"' in crumbs
    assert 'href="/courses/demo/first/"' in crumbs
    assert '<li aria-current="page">Add two numbers</li>' in crumbs


def test_skip_to_the_editor_comes_first(client: Client, demo: Path) -> None:
    for url in (workspace_url(), reverse("learning:lesson", args=["demo", "first"])):
        text = client.get(url).text
        body = text.split("<body>")[1]

        assert body.index("Skip to the editor") < body.index("Skip to main content")
        assert 'href="#ex-demo-add-f0" data-skip-to-editor="exercise-demo-add"' in body


def test_anonymous_visitor_is_asked_to_log_in_and_comes_back_here(
    client: Client, demo: Path
) -> None:
    text = client.get(workspace_url()).text

    assert "Log in to run and submit" in text
    assert 'data-role="submit"' not in text
    back = "next=%2Fcourses%2Fdemo%2Ffirst%2Fexercises%2Fdemo-add%2F"
    assert f'href="/accounts/login/?{back}" data-role="login"' in text
    assert f'data-login-url="/accounts/login/?{back}"' in text


def test_learner_gets_run_and_submit(client: Client, demo: Path, learner: User) -> None:
    client.force_login(learner)

    text = client.get(workspace_url()).text

    assert 'data-role="submit"' in text
    assert 'data-role="run"' in text
    assert "Log in to run and submit" not in text
    assert 'data-role="shortcut-keys"' in text


@pytest.mark.parametrize(
    ("course", "lesson", "exercise"),
    [
        ("demo", "second", "demo-add"),  # a lesson of the course, but not the exercise's
        ("demo", "first", "no-such-exercise"),
        ("demo", "no-such-lesson", "demo-add"),
        ("no-such-course", "first", "demo-add"),
    ],
)
def test_an_exercise_not_in_that_lesson_is_404(
    client: Client, demo: Path, course: str, lesson: str, exercise: str
) -> None:
    assert client.get(workspace_url(course, lesson, exercise)).status_code == 404


def test_workspace_never_shows_hidden_tests_or_the_solution(client: Client, demo: Path) -> None:
    text = html.unescape(client.get(workspace_url()).text)

    assert HIDDEN_MARKER not in text
    assert "test_add_zero" not in text
    assert SOLUTION_MARKER not in text


def test_lesson_page_links_to_the_workspace(client: Client, demo: Path) -> None:
    text = client.get(reverse("learning:lesson", args=["demo", "first"])).text
    exercise = text.split('id="exercise-demo-add"')[1]

    # Near the title, before the instructions and the editor.
    link = exercise.index(f'href="{workspace_url()}"')
    assert link < exercise.index("exercise__instructions") < exercise.index("exercise__files")
    assert "Open the exercise" in exercise[link : link + 200]
