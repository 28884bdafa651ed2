import html
from pathlib import Path

import pytest
from django.urls import reverse

from lessons.loader.sync import content_load
from lessons.models import Exercise
from tests.support.courses import HIDDEN_MARKER, SHIPPED_CONTENT, SOLUTION_MARKER

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_root: Path) -> Path:
    content_load(root=demo_root)
    return demo_root


def test_course_list(client, demo):
    response = client.get(reverse("learning:course_list"))

    assert response.status_code == 200
    assert "Demo course" in response.text
    assert reverse("learning:course", kwargs={"course_slug": "demo"}) in response.text


def test_course_page_lists_modules_and_lessons_in_order(client, demo):
    response = client.get(reverse("learning:course", kwargs={"course_slug": "demo"}))

    assert response.status_code == 200
    text = response.text.split('id="contents"')[1]
    assert text.index("Basics") < text.index("First lesson") < text.index("More")
    assert text.index("More") < text.index("Second lesson")


def test_lesson_page_shows_the_exercise_widget(client, demo):
    url = reverse("learning:lesson", kwargs={"course_slug": "demo", "lesson_slug": "first"})
    response = client.get(url)

    assert response.status_code == 200
    text = response.text
    assert 'id="exercise-demo-add"' in text
    assert 'data-submit-url="/exercises/demo-add/submissions/"' in text
    assert 'aria-live="polite"' in text
    # The starter file, editable, labelled with its name.
    assert 'data-filename="calc.py"' in text
    assert "return 0  # STARTER_MARKER" in html.unescape(text)
    # The visible test file, highlighted.
    assert "tests/test_calc.py" in text
    assert '<span class="nf">test_add</span>' in text
    # The table of contents and the next lesson.
    assert 'href="#adding"' in text
    assert 'rel="next"' in text
    assert "Second lesson" in text
    assert 'src="/static/js/exercise.js"' in text
    assert "csrftoken" in response.cookies


def test_lesson_page_never_shows_hidden_tests_or_the_solution(client, demo):
    url = reverse("learning:lesson", kwargs={"course_slug": "demo", "lesson_slug": "first"})
    text = html.unescape(client.get(url).text)

    assert HIDDEN_MARKER not in text
    assert "test_add_zero" not in text
    assert "test_calc_hidden" not in text
    assert SOLUTION_MARKER not in text


def test_shipped_lesson_renders_without_hidden_code_or_solution(client):
    content_load(root=SHIPPED_CONTENT)
    exercise = Exercise.objects.get(slug="flask-hello-world")
    url = reverse(
        "learning:lesson", kwargs={"course_slug": "python-backend", "lesson_slug": "hello-flask"}
    )

    text = html.unescape(client.get(url).text)

    assert exercise.starter_files["app.py"].strip() in text
    assert "test_hello_returns_200" in text
    for hidden in exercise.tests:
        if hidden["visibility"] == "hidden":
            assert hidden["name"] not in text
    for source in exercise.hidden_test_files.values():
        assert source.strip() not in text
    assert exercise.solution_files["app.py"].strip() not in text


def test_lesson_without_exercises_has_previous_link_and_no_script(client, demo):
    url = reverse("learning:lesson", kwargs={"course_slug": "demo", "lesson_slug": "second"})
    response = client.get(url)

    assert response.status_code == 200
    assert 'rel="prev"' in response.text
    assert 'rel="next"' not in response.text
    assert "exercise.js" not in response.text


@pytest.mark.parametrize(
    "url",
    ["/courses/nope/", "/courses/demo/nope/", "/courses/nope/first/"],
)
def test_unknown_pages_are_404(client, demo, url):
    assert client.get(url).status_code == 404


def test_pages_have_a_skip_link_and_main_landmark(client, demo):
    text = client.get("/").text
    assert 'href="#main"' in text
    assert '<main id="main"' in text
