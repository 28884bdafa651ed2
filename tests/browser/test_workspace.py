"""The learner's workspace, an exercise's own page, in a real browser against
a real server: two panes side by side on wide screens with a separator that
the keyboard moves, one column on a phone where Submit brings the status
line into view, no keyboard hints on a touch screen, and "Skip to the editor"
first in the Tab order. Every step waits on the page's state, never a timer.
"""

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import FloatRect, Locator, Page, expect

from lessons.models import Exercise
from tests.browser.conftest import PAGE_TIMEOUT_MS, SCREENSHOTS, log_in
from tests.live_server import Site

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.django_db(transaction=True)]

LESSON = "/courses/python-backend/hello-flask/"
WORKSPACE = "/courses/python-backend/hello-flask/exercises/flask-hello-world/"
GRADING_TIMEOUT_MS = 120_000


def shot(page: Page, name: str) -> None:
    # The window as the learner sees it: a full-page shot would hide what scrolls in a pane.
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


def box(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def widget_of(page: Page) -> Locator:
    return page.locator("#exercise-flask-hello-world")


def editor_of(widget: Locator) -> Locator:
    return widget.get_by_role("textbox", name="app.py, Python code editor")


def open_workspace(page: Page, width: int, height: int) -> Locator:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(WORKSPACE)
    widget = widget_of(page)
    expect(editor_of(widget)).to_be_visible()
    return widget


@pytest.fixture
def learner_page(page: Page, live_site: Site, learner: User) -> Page:
    log_in(page, live_site, learner)
    return page


def test_two_panes_side_by_side_and_the_separator_moves_with_the_keys(
    learner_page: Page,
) -> None:
    page = learner_page
    # The lesson's exercise opens in its own page from the link by its title.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(LESSON)
    head = widget_of(page).locator(".exercise__head")
    head.scroll_into_view_if_needed()
    head.screenshot(path=SCREENSHOTS / "workspace-lesson-open-link.png")
    head.get_by_role("link", name="Open the exercise").click()
    expect(page).to_have_url(re.compile(re.escape(WORKSPACE) + "$"))
    widget = open_workspace(page, 1280, 800)
    instructions = box(widget.locator(".exercise__instructions"))
    editor = box(widget.locator(".cm-editor"))
    # Side by side, both at the top of the window.
    assert instructions["x"] + instructions["width"] <= editor["x"]
    assert instructions["y"] < 400 and editor["y"] < 400
    # Each pane scrolls on its own; the page itself fits the window.
    for pane in ("task-pane", "code-pane"):
        overflow = widget.locator(f'[data-role="{pane}"]').evaluate(
            "node => getComputedStyle(node).overflowY"
        )
        assert overflow == "auto"
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    shot(page, "workspace-1280-light")
    page.emulate_media(color_scheme="dark")
    shot(page, "workspace-1280-dark")
    page.emulate_media(color_scheme="light")

    # The separator: a focusable window splitter moved by the arrow keys.
    separator = widget.get_by_role("separator", name="Width of the instructions")
    expect(separator).to_have_attribute("aria-valuenow", "40")
    task = widget.locator('[data-role="task-pane"]')
    narrow = box(task)["width"]
    separator.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(separator).to_have_attribute("aria-valuenow", "46")
    expect(separator).to_have_attribute("aria-valuetext", "Instructions 46%, editor 54%")
    assert box(task)["width"] > narrow + 50
    page.keyboard.press("ArrowLeft")
    expect(separator).to_have_attribute("aria-valuenow", "44")
    page.keyboard.press("End")
    expect(separator).to_have_attribute("aria-valuenow", "75")
    page.keyboard.press("Home")
    expect(separator).to_have_attribute("aria-valuenow", "20")
    page.keyboard.press("PageDown")
    expect(separator).to_have_attribute("aria-valuenow", "30")
    # Remembered: the next visit opens with the same split.
    page.reload()
    expect(editor_of(widget)).to_be_visible()
    expect(separator).to_have_attribute("aria-valuenow", "30")

    # Dragged with the mouse: the split follows the pointer, and is kept.
    handle = box(separator)
    section = box(widget)
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + 100)
    page.mouse.down()
    target = section["x"] + section["width"] * 0.6
    page.mouse.move(target, handle["y"] + 120, steps=5)
    page.mouse.up()
    # (Give or take the rounding of the pointer's position.)
    expect(separator).to_have_attribute("aria-valuenow", re.compile("^(59|60|61)$"))
    page.wait_for_function(
        "Math.abs(Number(localStorage.getItem('lectern:workspace-split')) - 60) < 1.5"
    )


def test_the_editor_takes_the_width_of_its_pane_on_a_big_screen(learner_page: Page) -> None:
    page = learner_page
    widget = open_workspace(page, 1920, 1080)
    editor = box(widget.locator(".cm-editor"))
    pane = box(widget.locator('[data-role="code-pane"]'))

    assert editor["width"] > 560
    # The whole pane but its padding: nothing caps the editor at a fixed width.
    assert editor["width"] > pane["width"] - 60
    shot(page, "workspace-1920-light")

    # The results come in under the editor, in the code pane, beside the task.
    widget.get_by_role("button", name="Run").click()
    expect(widget.locator(".exercise__verdict")).to_have_attribute(
        "data-verdict", "failed", timeout=GRADING_TIMEOUT_MS
    )
    expect(widget.locator('[data-role="status"]')).to_be_in_viewport()
    assert box(widget.locator(".exercise__instructions"))["y"] < 300
    page.emulate_media(color_scheme="dark")
    shot(page, "workspace-1920-dark-results")


def test_one_column_on_a_phone_and_submit_brings_the_status_into_view(
    learner_page: Page, flask_exercise: Exercise
) -> None:
    page = learner_page
    widget = open_workspace(page, 390, 844)
    instructions = box(widget.locator(".exercise__instructions"))
    editor = box(widget.locator(".cm-editor"))
    # One column: the editor under the instructions, the separator out of the way.
    assert editor["y"] >= instructions["y"] + instructions["height"]
    assert editor["width"] > 300
    expect(widget.get_by_role("separator")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Submit at the bottom edge of the window, the status line below it out of sight.
    status = widget.locator('[data-role="status"]')
    submit = widget.get_by_role("button", name="Submit")
    submit.evaluate("node => node.scrollIntoView({block: 'end'})")
    scrolled = page.evaluate("window.scrollY")
    submit.click()
    expect(status).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > scrolled
    shot(page, "workspace-390-submitting")
    verdict = widget.locator(".exercise__verdict")
    expect(verdict).to_have_attribute("data-verdict", "failed", timeout=GRADING_TIMEOUT_MS)
    expect(status).to_contain_text("Failed")
    expect(status).to_be_in_viewport()
    shot(page, "workspace-390-light")
    page.emulate_media(color_scheme="dark")
    shot(page, "workspace-390-dark")
    page.emulate_media(color_scheme="light")

    # The same on the lesson page, where the exercise is at the end of the lesson.
    page.goto(LESSON)
    widget = widget_of(page)
    expect(editor_of(widget)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    status = widget.locator('[data-role="status"]')
    widget.get_by_role("button", name="Run").click()
    expect(status).to_be_in_viewport()
    expect(widget.locator(".exercise__verdict")).to_have_attribute(
        "data-verdict", "failed", timeout=GRADING_TIMEOUT_MS
    )
    expect(status).to_be_in_viewport()
    shot(page, "workspace-390-lesson-run")


@pytest.fixture
def touch_page(page: Page, live_site: Site, learner: User) -> Iterator[Page]:
    """A phone: a touch screen and no mouse or keyboard, in a context of its own."""
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(
        base_url=live_site.base,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        phone = context.new_page()
        log_in(phone, live_site, learner)
        yield phone
    finally:
        context.close()


def test_a_touch_screen_shows_no_keyboard_hints(touch_page: Page, learner_page: Page) -> None:
    touch_page.goto(WORKSPACE)
    widget = widget_of(touch_page)
    expect(editor_of(widget)).to_be_visible()
    assert touch_page.evaluate("matchMedia('(hover: none) and (pointer: coarse)').matches")
    expect(widget.locator('[data-role="shortcut-keys"]')).to_be_hidden()
    expect(widget.locator(".exercise__keys")).to_be_hidden()
    # Still the editor's description for a screen reader.
    expect(editor_of(widget)).to_have_accessible_description(
        re.compile(r"Press Esc, then Tab, to leave the editor\. Ctrl\+Enter runs")
    )

    # With a mouse and a keyboard the same page shows them.
    learner_page.goto(WORKSPACE)
    expect(widget_of(learner_page).locator('[data-role="shortcut-keys"]')).to_be_visible()


@pytest.mark.parametrize("url", [WORKSPACE, LESSON])
def test_skip_to_the_editor_within_five_tabs(learner_page: Page, url: str) -> None:
    page = learner_page
    page.goto(url)
    editor = editor_of(widget_of(page))
    expect(editor).to_be_visible()
    skip = page.get_by_role("link", name="Skip to the editor")

    name = "workspace" if url == WORKSPACE else "lesson"
    tabs = 0
    while tabs < 5 and not editor.evaluate("node => node === document.activeElement"):
        page.keyboard.press("Tab")
        tabs += 1
        if skip.evaluate("node => node === document.activeElement"):
            expect(skip).to_be_in_viewport()
            shot(page, f"workspace-skip-link-{name}")
            page.keyboard.press("Enter")
            expect(editor).to_be_focused()
    expect(editor).to_be_focused()
    assert tabs == 1
    expect(editor).to_be_in_viewport()
    page.keyboard.insert_text("# typed after skipping\n")
    expect(editor).to_contain_text("# typed after skipping")
