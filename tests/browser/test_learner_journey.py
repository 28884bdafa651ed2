"""A learner's first exercise, in a real browser against a real server: sign
up, open the Flask hello-world lesson, Run once (visible tests only, not
counted), submit a wrong answer and watch the failing tests stream in, reveal
a hint, fix the code in the editor, submit again and pass with full marks, and
see the course's progress bar move. Every step waits on the page's own state
(text, attributes), never on a sleep.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect

from grader.models import Submission
from learning.models import ExerciseProgress
from lessons.loader.sync import course_load
from lessons.models import Exercise
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.conftest import exercise_files
from tests.live_server import Site
from tests.support.courses import demo_course_files, tree_write

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.django_db(transaction=True)]

LESSON = "/courses/python-backend/hello-flask/"
COURSE = "/courses/python-backend/"
# A cold sandbox start and five tests fit well inside this.
GRADING_TIMEOUT_MS = 120_000
WRONG_ADDITION = (
    "\n"
    '@app.route("/hello")\n'
    "def hello():\n"
    '    print("hello() was called")\n'
    '    return "Hello, World!"\n'
)


def shot(target: Page | Locator, name: str) -> None:
    """A whole page, or one part of it (the exercise widget)."""
    path = SCREENSHOTS / f"{name}.png"
    if isinstance(target, Page):
        target.screenshot(path=path, full_page=True)
    else:
        target.screenshot(path=path)


def editor_of(widget: Locator, name: str = "app.py") -> Locator:
    return widget.get_by_role("textbox", name=f"{name}, Python code editor")


def editor_text(widget: Locator, name: str = "app.py") -> str:
    # The widget mirrors each editor into its (hidden) text area.
    return widget.locator(f'textarea[data-filename="{name}"]').input_value()


def replace_code(page: Page, widget: Locator, text: str) -> None:
    """Select everything in the editor and put `text` in its place, as a paste would."""
    editor = editor_of(widget)
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(text)


def paste(editor: Locator, text: str) -> None:
    """Paste `text` where the cursor is (typing this much would take minutes)."""
    editor.evaluate(
        """(node, text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const init = {clipboardData: data, bubbles: true, cancelable: true};
            node.dispatchEvent(new ClipboardEvent("paste", init));
        }""",
        text,
    )


def course_progress(page: Page) -> int:
    page.goto(COURSE)
    bar = page.get_by_test_id("course-progress")
    expect(bar).to_be_visible()
    return int(bar.get_attribute("data-done") or "-1")


def test_sign_up_fail_hint_fix_pass_and_progress(page: Page, flask_exercise: Exercise) -> None:
    # An anonymous visitor reads the lesson and is asked to log in to submit.
    page.goto(LESSON)
    widget = page.locator("#exercise-flask-hello-world")
    expect(widget.get_by_role("link", name="Log in to run and submit")).to_be_visible()
    expect(widget.get_by_role("button", name="Submit")).to_have_count(0)
    shot(page, "01-lesson-anonymous")

    # Sign up from the widget's link; the form brings the learner back to the lesson.
    widget.get_by_role("link", name="sign up").click()
    page.locator("#id_username").fill("ada")
    page.locator("#id_email").fill("ada@example.com")
    page.locator("#id_password1").fill("analytical-engine-1843")
    page.locator("#id_password2").fill("analytical-engine-1843")
    shot(page, "02-sign-up")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(re.escape(LESSON)))
    expect(page.get_by_text("Signed in as")).to_be_visible()
    learner = User.objects.get(username="ada")

    done_before = course_progress(page)
    assert done_before == 0
    shot(page, "03-course-before")

    page.goto(LESSON)
    widget = page.locator("#exercise-flask-hello-world")
    editor = editor_of(widget)
    expect(editor).to_be_visible()
    expect(editor).to_contain_text('@app.route("/")')
    reveal = widget.get_by_role("button", name="Reveal a hint")
    expect(reveal).to_be_disabled()
    status = widget.locator('[data-role="status"]')
    verdict = widget.locator(".exercise__verdict")

    # Run: the visible tests only, and nothing recorded.
    widget.get_by_role("button", name="Run").click()
    expect(verdict).to_have_attribute("data-verdict", "failed", timeout=GRADING_TIMEOUT_MS)
    expect(status).to_contain_text("Run finished")
    expect(status).to_contain_text("not recorded")
    visible = [test["name"] for test in flask_exercise.tests if test["visibility"] == "visible"]
    results = widget.locator(".test-result")
    expect(results).to_have_count(len(visible))
    assert [results.nth(i).get_attribute("data-test") for i in range(len(visible))] == visible
    expect(widget.get_by_text("hidden test")).to_have_count(0)
    expect(widget.locator('[data-role="record-attempts"]')).to_have_text("0 attempts")
    expect(reveal).to_be_disabled()
    shot(widget, "04-run-visible-tests")
    run = Submission.objects.get(user=learner)
    assert run.mode == Submission.Mode.RUN
    assert not ExerciseProgress.objects.filter(user=learner, attempts__gt=0).exists()

    # Too much code is refused in the page, before anything is sent.
    starter = editor_text(widget)
    editor.click()
    page.keyboard.press("ControlOrMeta+End")
    paste(editor, ("# " + "x" * 98 + "\n") * 2700)
    widget.get_by_role("button", name="Submit").click()
    expect(widget.get_by_role("alert")).to_contain_text("at most 256 KiB may be sent")
    assert Submission.objects.filter(user=learner).count() == 1
    # Undo takes the paste back; the message goes with the edit.
    editor.focus()
    page.keyboard.press("ControlOrMeta+z")
    expect(widget.get_by_role("alert")).to_be_hidden()
    assert editor_text(widget) == starter

    # A wrong answer typed into the editor: the right path, but plain text.
    editor.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text(WRONG_ADDITION)
    assert editor_text(widget).endswith(WRONG_ADDITION)
    widget.get_by_role("button", name="Submit").click()

    # The failing tests stream in, each with its status in words.
    failing = widget.locator('.test-result[data-status="fail"]').first
    expect(failing).to_be_visible(timeout=GRADING_TIMEOUT_MS)
    expect(failing.locator(".test-result__status")).to_have_text("failed")
    shot(widget, "05-submission-streaming")
    expect(verdict).to_have_attribute("data-verdict", "failed", timeout=GRADING_TIMEOUT_MS)
    expect(results).to_have_count(len(flask_exercise.tests))
    expect(widget.locator(".exercise__score")).to_have_attribute("data-score", "3")
    expect(status).to_contain_text("Failed")
    # What the learner's code printed during a visible test is shown with it.
    printed = widget.locator('.test-result[data-test="test_hello_returns_200"] details')
    printed.locator("summary").click()
    expect(printed).to_contain_text("hello() was called")
    expect(widget.locator('[data-role="record-attempts"]')).to_have_text("1 attempt")
    shot(widget, "06-submission-failed")

    # A hint, now that a Submit has failed.
    expect(reveal).to_be_enabled()
    reveal.click()
    hints = widget.locator(".hint-list > li")
    expect(hints).to_have_count(1)
    expect(hints.first).to_contain_text("Hint 1 of 3")
    expect(hints.first).to_contain_text('@app.route("/hello")')
    shot(widget, "07-hint")

    # The fix, put in through the editor, passes every test.
    solution = exercise_files("solution")["app.py"]
    replace_code(page, widget, solution)
    assert editor_text(widget) == solution
    widget.get_by_role("button", name="Submit").click()
    expect(verdict).to_have_attribute("data-verdict", "passed", timeout=GRADING_TIMEOUT_MS)
    score = widget.locator(".exercise__score")
    expect(score).to_have_attribute("data-score", "6")
    expect(score).to_have_attribute("data-max-score", "6")
    expect(score).to_contain_text("full marks")
    expect(status).to_contain_text("Passed")
    expect(widget.locator('[data-role="record-state"]')).to_have_text(re.compile("Done"))
    expect(widget.locator('.test-result[data-status="pass"]')).to_have_count(
        len(flask_exercise.tests)
    )
    shot(widget, "08-submission-passed")

    progress = ExerciseProgress.objects.get(user=learner, exercise=flask_exercise)
    assert (progress.attempts, progress.completed) == (2, True)
    assert progress.best_score == flask_exercise.max_score

    # The course page counts the exercise as done.
    assert course_progress(page) == done_before + 1
    shot(page, "09-course-after")

    # Back on the lesson, the editor holds the learner's code, not the starter.
    page.goto(LESSON)
    widget = page.locator("#exercise-flask-hello-world")
    expect(editor_of(widget)).to_contain_text('@app.route("/hello")')
    expect(widget.locator('[data-role="draft-status"]')).to_contain_text("Restored your draft")
    assert editor_text(widget) == solution


def test_files_in_tabs_and_keyboard_only_use(page: Page, tmp_path: Path) -> None:
    """Two files in tabs: arrows move between tabs, Tab indents in the editor,
    Esc then Tab leaves it; Reset to starter asks first and can be undone."""
    files = demo_course_files(slug="keys", exercise="keys-add")
    files["keys/exercises/keys-add/starter/helpers.py"] = "def double(x):\n    return x\n"
    files["keys/exercises/keys-add/solution/helpers.py"] = "def double(x):\n    return 2 * x\n"
    course_load(path=tree_write(tmp_path / "content", files) / "keys")

    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/courses/keys/first/")
    widget = page.locator("#exercise-keys-add")
    tabs = widget.get_by_role("tab")
    expect(tabs).to_have_count(2)
    calc, helpers = tabs.nth(0), tabs.nth(1)
    expect(calc).to_have_attribute("aria-selected", "true")
    expect(helpers).to_have_attribute("tabindex", "-1")

    calc.focus()
    page.keyboard.press("ArrowRight")
    expect(helpers).to_be_focused()
    expect(helpers).to_have_attribute("aria-selected", "true")
    expect(widget.get_by_role("tabpanel", name="helpers.py")).to_be_visible()
    expect(widget.get_by_role("tabpanel", name="calc.py")).to_be_hidden()
    page.keyboard.press("Home")
    expect(calc).to_be_focused()

    # Into the editor: Tab indents there instead of moving on...
    editor = editor_of(widget, "calc.py")
    editor.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("Tab")
    page.keyboard.insert_text("pass")
    expect(editor).to_be_focused()
    assert editor_text(widget, "calc.py").endswith("    pass")
    # ...and Esc then Tab leaves it for the next control.
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(editor).not_to_be_focused()
    shot(page, "10-keyboard-narrow")

    # Reset to starter asks first, then Ctrl+Z brings the edit back.
    page.once("dialog", lambda dialog: dialog.accept())
    widget.get_by_role("button", name="Reset to starter").click()
    starter = "def add(a, b):\n    return 0  # STARTER_MARKER\n"
    expect(editor).not_to_contain_text("pass")
    assert editor_text(widget, "calc.py") == starter
    editor.click()
    page.keyboard.press("ControlOrMeta+z")
    expect(editor).to_contain_text("pass")

    # An anonymous visitor's draft stays in this browser and comes back on return.
    page.wait_for_function(
        "() => (localStorage.getItem('lectern:draft:keys-add') || '').includes('pass')"
    )
    page.reload()
    expect(editor_of(widget, "calc.py")).to_contain_text("pass")
    expect(widget.locator('[data-role="draft-status"]')).to_contain_text(
        "Restored your draft from this browser"
    )


def test_reset_right_after_typing_is_an_undo_step_of_its_own(page: Page, tmp_path: Path) -> None:
    """CodeMirror joins changes made within half a second into one undo step.
    With the page's clock stopped, typing and Reset happen at the same instant
    on any machine, so Ctrl+Z must undo the reset alone."""
    files = demo_course_files(slug="undo", exercise="undo-add")
    course_load(path=tree_write(tmp_path / "content", files) / "undo")
    page.clock.install(time="2030-01-01T09:00:00")
    page.clock.pause_at("2030-01-01T10:00:00")

    page.goto("/courses/undo/first/")
    widget = page.locator("#exercise-undo-add")
    editor = editor_of(widget, "calc.py")
    editor.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text("# typed just now")
    page.once("dialog", lambda dialog: dialog.accept())
    widget.get_by_role("button", name="Reset to starter").click()
    expect(editor).not_to_contain_text("typed just now")

    editor.click()
    page.keyboard.press("ControlOrMeta+z")
    expect(editor).to_contain_text("# typed just now")
    assert "return 0  # STARTER_MARKER" in editor_text(widget, "calc.py")


def test_results_arrive_by_polling_when_the_websocket_fails(
    page: Page, live_site: Site, learner: User
) -> None:
    """Every WebSocket is closed as soon as it opens: after its reconnects the
    widget polls the submission's status and shows the result all the same."""
    page.route_web_socket(re.compile(r"/ws/submissions/"), lambda socket: socket.close())
    polls: list[str] = []
    page.on(
        "request",
        lambda request: (
            polls.append(request.url)
            if "/submissions/" in request.url and request.method == "GET"
            else None
        ),
    )

    log_in(page, live_site, learner)
    page.goto(LESSON)

    widget = page.locator("#exercise-flask-hello-world")
    widget.get_by_role("button", name="Run").click()
    verdict = widget.locator(".exercise__verdict")
    expect(verdict).to_have_attribute("data-verdict", "failed", timeout=GRADING_TIMEOUT_MS)
    expect(widget.locator(".test-result")).to_have_count(2)
    assert polls, "the widget never polled the submission's status"
