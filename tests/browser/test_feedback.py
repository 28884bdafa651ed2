"""Feedback a learner can act on, in a real browser against a real server with
the real grader: a whole-run failure said once, what the app answered and
where its own code raised, Cancel, the last result again after a reload, and
where to go next. Every step waits on the page's own state, never on a sleep.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from playwright.sync_api import Locator, Page, expect

from grader.models import Submission
from learning.models import LessonVisit
from lessons.models import Exercise, Lesson
from tests.browser.conftest import log_in
from tests.browser.test_learner_journey import (
    GRADING_TIMEOUT_MS,
    LESSON,
    editor_of,
    replace_code,
    shot,
)
from tests.conftest import exercise_files
from tests.live_server import Site, daphne_server

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.django_db(transaction=True)]

COURSE = "/courses/python-backend/"
RAISING_VIEW = (
    "from flask import Flask\n"
    "\n"
    "app = Flask(__name__)\n"
    "\n"
    "\n"
    '@app.route("/hello")\n'
    "def hello():\n"
    "    return {'message': greeting}\n"
)
LOOPING_VIEW = (
    "from flask import Flask\n"
    "\n"
    "app = Flask(__name__)\n"
    "\n"
    "\n"
    '@app.route("/hello")\n'
    "def hello():\n"
    "    while True:\n"
    "        pass\n"
)


def open_exercise(page: Page, site: Site, learner: User) -> Locator:
    log_in(page, site, learner)
    page.goto(LESSON)
    widget = page.locator("#exercise-flask-hello-world")
    expect(editor_of(widget)).to_be_visible()
    return widget


def test_a_syntax_error_is_one_message_with_its_line(
    page: Page, live_site: Site, learner: User, flask_exercise: Exercise
) -> None:
    widget = open_exercise(page, live_site, learner)
    replace_code(page, widget, "from flask import Flask\napp = Flask(__name__\n")

    widget.get_by_role("button", name="Submit").click()

    verdict = widget.locator(".exercise__verdict")
    expect(verdict).to_have_attribute("data-verdict", "syntax_error", timeout=GRADING_TIMEOUT_MS)
    # No card per test that never ran, and the verdict once.
    expect(widget.locator(".test-result")).to_have_count(0)
    summary = widget.locator('[data-role="summary"]')
    expect(summary).to_contain_text("Your code does not compile, so no test could run.")
    expect(summary.locator(".exercise__verdict")).to_have_count(1)
    expect(verdict).to_contain_text("See app.py, line")
    expect(widget.locator('[data-role="progress"]')).to_be_hidden()
    status = widget.locator('[data-role="status"]')
    expect(status).to_contain_text("Submission finished: Syntax error.")
    jump = widget.get_by_role("button", name=re.compile(r"^Go to app\.py, line \d+"))
    expect(jump).to_be_visible()
    shot(widget, "feedback-01-syntax-error-once")


def test_a_view_that_raises_shows_the_exchange_and_where_it_raised(
    page: Page, live_site: Site, learner: User, flask_exercise: Exercise
) -> None:
    widget = open_exercise(page, live_site, learner)
    replace_code(page, widget, RAISING_VIEW)

    widget.get_by_role("button", name="Run").click()

    expect(widget.locator(".exercise__verdict")).to_have_attribute(
        "data-verdict", "failed", timeout=GRADING_TIMEOUT_MS
    )
    card = widget.locator('.test-result[data-test="test_hello_returns_200"]')
    said = card.locator(".test-result__comparison dd")
    expect(said).to_have_text(["200", "500"])  # expected, got
    exchange = card.locator(".exchange").first
    expect(exchange.locator(".exchange__request")).to_contain_text("GET /hello")
    expect(exchange.locator(".exchange__response")).to_contain_text("500")
    # The traceback from the learner's own file, and a way there.
    card.get_by_text("The test's full message").click()
    expect(card.locator(".test-result__details pre")).to_contain_text("NameError")
    jump = card.get_by_role("button", name="Your code raised NameError: go to app.py, line 8")
    expect(jump).to_be_visible()
    jump.click()
    expect(editor_of(widget)).to_be_focused()
    shot(widget, "feedback-02-exchange-and-traceback")


def test_cancel_stops_a_running_infinite_loop(
    page: Page, live_site: Site, learner: User, flask_exercise: Exercise
) -> None:
    widget = open_exercise(page, live_site, learner)
    replace_code(page, widget, LOOPING_VIEW)
    cancel = widget.get_by_role("button", name="Cancel")
    expect(cancel).to_be_hidden()

    widget.get_by_role("button", name="Submit").click()
    # Running: its tests are announced, the view spins in its sandbox.
    expect(widget).to_have_attribute("data-state", "running", timeout=GRADING_TIMEOUT_MS)
    expect(cancel).to_be_visible()
    cancel.click()

    verdict = widget.locator(".exercise__verdict")
    expect(verdict).to_have_attribute("data-verdict", "cancelled", timeout=GRADING_TIMEOUT_MS)
    expect(cancel).to_be_hidden()
    expect(widget.locator('[data-role="summary"]')).to_contain_text("Not counted as an attempt.")
    expect(widget.locator('[data-role="record-attempts"]')).to_have_text("0 attempts")
    shot(widget, "feedback-03-cancelled")
    submission = Submission.objects.get(user=learner)
    assert submission.status == Submission.Status.CANCELLED


def test_the_last_result_is_there_after_a_reload_and_a_pass_says_what_is_next(
    page: Page, live_site: Site, learner: User, flask_exercise: Exercise
) -> None:
    widget = open_exercise(page, live_site, learner)
    replace_code(page, widget, exercise_files("solution")["app.py"])
    widget.get_by_role("button", name="Submit").click()
    verdict = widget.locator(".exercise__verdict")
    expect(verdict).to_have_attribute("data-verdict", "passed", timeout=GRADING_TIMEOUT_MS)
    next_link = widget.get_by_role("link", name=re.compile(r"^Next: "))
    expect(next_link).to_be_visible()
    # Something to learn from: the reference solution opens once passed.
    show = widget.get_by_role("button", name="Show the reference solution")
    expect(show).to_be_enabled()
    show.click()
    expect(widget.get_by_text("(reference solution)")).to_be_visible()
    shot(widget, "feedback-04-passed-next")

    page.reload()
    widget = page.locator("#exercise-flask-hello-world")
    verdict = widget.locator(".exercise__verdict")
    expect(verdict).to_have_attribute("data-verdict", "passed")
    expect(widget.locator(".exercise__earlier")).to_contain_text("Your last submission, sent")
    expect(widget.locator(".test-result")).to_have_count(len(flask_exercise.tests))
    shot(widget, "feedback-05-after-reload")

    widget.get_by_role("link", name=re.compile(r"^Next: ")).click()
    expect(page).not_to_have_url(re.compile(re.escape(LESSON) + "$"))
    # The course page knows where the learner is now.
    page.goto(COURSE)
    visited = LessonVisit.objects.filter(user=learner).order_by("-last_visited_at").first()
    assert visited is not None
    expect(page.locator('[data-role="continue"]')).to_contain_text(visited.lesson.title)
    expect(page.locator('[data-exercise="flask-hello-world"] [data-role="score"]')).to_contain_text(
        f"{flask_exercise.max_score:g} of {flask_exercise.max_score:g} points"
    )
    shot(page, "feedback-06-course-continue")


def test_reading_a_lesson_without_exercises_to_its_end_marks_it_done(
    page: Page, live_site: Site, learner: User, flask_exercise: Exercise
) -> None:
    lesson = (
        Lesson.objects.filter(course=flask_exercise.course, exercises__isnull=True)
        .order_by("order")
        .first()
    )
    assert lesson is not None
    log_in(page, live_site, learner)
    page.goto(lesson.get_absolute_url())
    note = page.locator('[data-role="lesson-done-note"]')
    expect(page.get_by_role("button", name=re.compile(r"^Mark as done"))).to_be_visible()
    # Opened is not read: nothing is marked until the learner reaches the end.
    assert not LessonVisit.objects.filter(user=learner, done_at__isnull=False).exists()

    page.locator('form[data-role="lesson-done"]').scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)

    expect(note).to_have_text("Done: you read this lesson to its end.")
    visit = LessonVisit.objects.get(user=learner, lesson=lesson)
    assert visit.done_at is not None
    page.goto(COURSE)
    entry = page.locator(f'[data-lesson="{lesson.slug}"]')
    expect(entry).to_have_attribute("data-status", "done")
    shot(page, "feedback-07-lesson-read-to-its-end")


ITEMS_APP = (
    "from flask import Flask, request\n"
    "\n"
    "app = Flask(__name__)\n"
    "items = []\n"
    "\n"
    "\n"
    '@app.post("/items")\n'
    "def add():\n"
    '    items.append(request.get_json()["name"])\n'
    '    print("added", items[-1])\n'
    '    return {"id": len(items)}, 201\n'
    "\n"
    "\n"
    '@app.get("/items")\n'
    "def listed():\n"
    '    return {"items": items}\n'
)


def try_request(panel: Locator, method: str, path: str, body: str = "") -> None:
    form = panel.locator('[data-role="try-form"]')
    form.get_by_label("Method").select_option(method)
    form.get_by_label("Path").fill(path)
    form.get_by_label("Body").fill(body)
    form.get_by_role("button", name="Send").click()


def test_try_your_api_with_two_requests(
    page: Page, live_site: Site, learner: User, flask_exercise: Exercise
) -> None:
    widget = open_exercise(page, live_site, learner)
    replace_code(page, widget, ITEMS_APP)
    panel = widget.locator('[data-role="try"]')
    status = panel.locator('[data-role="try-status"]')

    panel.get_by_role("button", name="Start my app").click()
    expect(status).to_have_text("Your app is running.", timeout=GRADING_TIMEOUT_MS)
    try_request(panel, "POST", "/items", '{"name": "pen"}')
    expect(status).to_have_text("Your app answered 201.", timeout=GRADING_TIMEOUT_MS)
    try_request(panel, "GET", "/items")
    expect(status).to_have_text("Your app answered 200.", timeout=GRADING_TIMEOUT_MS)

    # Newest first: the GET sees what the POST added, and the log has what it printed.
    log = panel.locator('[data-role="try-log"] > li')
    expect(log).to_have_count(2)
    expect(log.nth(0).locator(".exchange__request")).to_contain_text("GET /items")
    expect(log.nth(0).locator(".exchange__body")).to_contain_text('{"items":["pen"]}')
    expect(log.nth(1).locator(".exchange__response")).to_contain_text("201")
    expect(log.nth(1).get_by_text("added pen")).to_be_visible()
    shot(widget, "feedback-08-try-your-api")

    panel.get_by_role("button", name="End the session").click()
    expect(status).to_have_text("You ended the session.")
    expect(panel.locator('[data-role="try-form"]')).to_be_hidden()
    assert not Submission.objects.filter(user=learner).exists()  # nothing graded


@pytest.fixture
def short_sessions(live_site: Site, tmp_path: Path) -> Iterator[Site]:
    """Another server on the same database, whose try sessions last 3 s."""
    database_url = f"sqlite:///{connection.settings_dict['NAME']}"
    with daphne_server(
        database_url=database_url, log_dir=tmp_path / "short", TRY_SESSION_SECONDS="3"
    ) as site:
        yield site


def test_a_try_session_ends_after_its_limit(
    page: Page, short_sessions: Site, learner: User, flask_exercise: Exercise
) -> None:
    log_in(page, short_sessions, learner)
    page.goto(f"{short_sessions.base}{LESSON}")
    panel = page.locator("#exercise-flask-hello-world [data-role='try']")
    status = panel.locator('[data-role="try-status"]')

    panel.get_by_role("button", name="Start my app").click()
    expect(status).to_have_text("Your app is running.", timeout=GRADING_TIMEOUT_MS)
    expect(status).to_have_text(
        "The session's time is up: start a new one to go on.", timeout=GRADING_TIMEOUT_MS
    )
    expect(panel.locator('[data-role="try-form"]')).to_be_hidden()
    expect(panel.get_by_role("button", name="Start my app")).to_be_enabled()
