"""The submission history in a real browser in New York: the page's script
tells the server the browser's time zone and the history shows local times;
two submissions are compared; a past one is loaded back into the editor."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from grader.models import Submission
from lessons.models import Exercise
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.grader.test_history import graded
from tests.live_server import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = "America/New_York"
HISTORY = "/exercises/flask-hello-world/history/"
# 14:30:05 UTC in winter is 09:30:05 in New York (EST, UTC-5).
FIRST_AT = datetime(2026, 1, 15, 14, 30, 5, tzinfo=UTC)
FIRST_CODE = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
    '@app.route("/")\ndef index():\n    return "FIRST_TRY_MARKER"\n'
)
SECOND_CODE = FIRST_CODE.replace('"FIRST_TRY_MARKER"', '{"message": "Hello, World!"}') + (
    '\n\n@app.route("/hello")\ndef hello():\n    return {"message": "SECOND_TRY_MARKER"}\n'
)


@pytest.fixture
def context_options() -> dict[str, Any]:
    """A browser whose clock says New York."""
    return {"timezone_id": ZONE}


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def zone_cookie(page: Page) -> str | None:
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    return cookies.get("lectern_tz")


def test_local_times_compare_and_load_into_the_editor(
    page: Page, live_site: Site, learner: User, flask_exercise: Exercise
) -> None:
    first = graded(learner, flask_exercise, files={"app.py": FIRST_CODE})
    second = graded(learner, flask_exercise, files={"app.py": SECOND_CODE}, verdict="passed")
    Submission.objects.filter(pk=first.pk).update(created_at=FIRST_AT)
    Submission.objects.filter(pk=second.pk).update(created_at=FIRST_AT + timedelta(hours=1))
    log_in(page, live_site, learner)

    # The first page of a visit is in UTC and says so; its script sets the cookie.
    page.goto(HISTORY)
    expect(page.get_by_role("columnheader", name="Time (UTC)")).to_be_visible()
    expect(page.get_by_text("reload to see local times")).to_be_visible()
    page.wait_for_function("document.cookie.includes('lectern_tz=')")
    assert zone_cookie(page) == ZONE

    # From then on, New York time.
    page.reload()
    table = page.locator(".history-table")
    expect(table.get_by_role("columnheader", name=f"Time ({ZONE})")).to_be_visible()
    expect(table.locator(f'tr[data-submission="{first.id}"] time')).to_have_text(
        "2026-01-15 09:30:05"
    )
    expect(table.locator(f'tr[data-submission="{second.id}"] time')).to_have_text(
        "2026-01-15 10:30:05"
    )
    expect(page.get_by_text("reload to see local times")).to_have_count(0)
    shot(page, "history-01-local-times")

    # Compare: the two newest are picked already.
    expect(page.get_by_role("radio", name="Before: Submit of 2026-01-15 09:30:05")).to_be_checked()
    expect(page.get_by_role("radio", name="After: Submit of 2026-01-15 10:30:05")).to_be_checked()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("What changed")
    diff = page.locator('.diff-file[data-file="app.py"]')
    expect(diff.get_by_role("heading")).to_contain_text("6 lines added, 1 removed")
    removed = diff.locator('tr[data-kind="removed"]')
    added = diff.locator('tr[data-kind="added"]')
    expect(removed).to_have_count(1)
    expect(removed.first).to_contain_text("FIRST_TRY_MARKER")
    expect(removed.first.locator(".diff__sign")).to_have_text("-removed")
    expect(added.filter(has_text="SECOND_TRY_MARKER")).to_have_count(1)
    expect(added.first.locator(".diff__sign")).to_have_text("+added")
    # The sign is seen, not only the colour: the two backgrounds differ from the page's.
    colours = page.evaluate(
        """() => ["removed", "added", "context"].map((kind) => {
            const row = document.querySelector(`tr[data-kind="${kind}"]`);
            return getComputedStyle(row).backgroundColor;
        })"""
    )
    assert len(set(colours)) == 3, colours
    shot(page, "history-02-compare")
    page.emulate_media(color_scheme="dark")
    shot(page, "history-03-compare-dark")
    page.emulate_media(color_scheme="light")

    # The second submission's page compares with the first too.
    page.goto(f"{HISTORY}{second.id}/")
    expect(page.get_by_text("2026-01-15 10:30:05 EST")).to_be_visible()
    page.get_by_role("link", name="Compare with the previous submission").click()
    expect(page.locator('.diff-file[data-file="app.py"] tr[data-kind="removed"]')).to_have_count(1)

    # Load the first try back into the editor: the lesson opens with that code.
    page.goto(f"{HISTORY}{first.id}/")
    shot(page, "history-04-detail")
    page.get_by_role("button", name="Load this code into the editor").click()
    expect(page).to_have_url(
        f"{live_site.base}/courses/python-backend/hello-flask/#exercise-flask-hello-world"
    )
    widget = page.locator("#exercise-flask-hello-world")
    editor = widget.get_by_role("textbox", name="app.py, Python code editor")
    expect(editor).to_contain_text("FIRST_TRY_MARKER")
    expect(widget.locator('textarea[data-filename="app.py"]')).to_have_value(FIRST_CODE)
    editor.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "history-05-loaded-into-editor.png")  # the viewport
