"""The instructor's journey in a real browser, against Daphne with the real
grader: create a class, a learner joins it with the code and submits, the
instructor finds the submission in the gradebook and a chart, then regrades
it and the learner sees the regraded result beside the original."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from lessons.models import Course, Exercise
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.live_server import Site

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.django_db(transaction=True)]

WORKSPACE = "/courses/python-backend/hello-flask/exercises/flask-hello-world/"
GRADING_TIMEOUT_MS = 120_000


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def as_user(page: Page, site: Site, user: User) -> None:
    page.context.clear_cookies()
    log_in(page, site, user)


def test_create_a_class_join_submit_read_the_gradebook_and_regrade(
    page: Page, live_site: Site, instructor: User, learner: User, flask_exercise: Exercise
) -> None:
    Course.objects.get(slug="python-backend").instructors.add(instructor)

    # The instructor creates a class and reads out its code.
    as_user(page, live_site, instructor)
    page.goto("/")
    page.get_by_role("link", name="Teach").click()
    page.get_by_label("Name of the class").fill("Tuesday group")
    page.get_by_role("button", name="Create the class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday group")
    class_page = page.url
    code = page.get_by_test_id("join-code").inner_text().strip()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code), code
    shot(page, "instructor-1-class")

    # The learner joins with the code, typed the way people type it.
    as_user(page, live_site, learner)
    page.goto("/")
    page.get_by_role("link", name="Join a class").click()
    page.get_by_label("Join code").fill(f"{code[:4].lower()}-{code[4:]}")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("Tuesday group").first).to_be_visible()
    # ...and submits the starter, which fails.
    page.goto(WORKSPACE)
    widget = page.locator("#exercise-flask-hello-world")
    widget.get_by_role("button", name="Submit").click()
    expect(widget.locator(".exercise__verdict")).to_have_attribute(
        "data-verdict", "failed", timeout=GRADING_TIMEOUT_MS
    )

    # The instructor sees it in the gradebook and in a chart.
    as_user(page, live_site, instructor)
    page.goto(class_page)
    page.get_by_role("link", name="Gradebook").click()
    row = page.get_by_role("row", name=re.compile(learner.username))
    expect(row).to_contain_text("1 attempt")
    shot(page, "instructor-2-gradebook")
    page.goto(class_page)
    page.get_by_role("link", name="Analytics").click()
    expect(page.locator("#chart-attempts")).to_be_visible()
    expect(page.get_by_text("Attempts until the first pass as a table")).to_be_visible()
    shot(page, "instructor-3-analytics")

    # It regrades the exercise and reads the score changes when it is done.
    page.goto(class_page)
    page.get_by_role("link", name="Regrades").click()
    page.get_by_label("Exercise").select_option(flask_exercise.slug)
    page.get_by_role("button", name="Start the regrade").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Regrade of")
    expect(page.get_by_role("status").filter(has_text="regraded")).to_contain_text(
        "Done.", timeout=GRADING_TIMEOUT_MS
    )
    changes = page.locator('[data-role="regrade-changes"]')
    expect(changes.get_by_role("row", name=re.compile(learner.username))).to_contain_text(
        "no change"
    )
    shot(page, "instructor-4-regrade")

    # The learner's history keeps the original and marks the regrade.
    as_user(page, live_site, learner)
    page.goto(f"/exercises/{flask_exercise.slug}/history/")
    expect(page.get_by_text("Regraded", exact=True)).to_be_visible()
    expect(page.locator("tr[data-submission]")).to_have_count(2)
    shot(page, "learner-regraded-history")
