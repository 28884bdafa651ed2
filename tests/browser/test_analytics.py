"""A class's analytics page in a real browser, light and dark: every chart is
drawn under the site's Content-Security-Policy, in the scheme's colours, and
drawn again when the scheme changes."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page

from learning.models import ExerciseProgress
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.live_server import Site
from tests.support.classes import ClassWorld
from tests.teaching.test_analytics import graded, learner_join

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONDAY = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
CANVASES = [
    "chart-progress",
    "chart-passed",
    "chart-attempts",
    "chart-pass-rate",
    "chart-failed-tests",
    "chart-run-failures",
    "chart-hints",
]
# Kept by the page before its own scripts run: any CSP violation it reports.
CSP_WATCH = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
# How many pixels of a canvas something was drawn on.
PAINTED = """(id) => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
  return painted;
}"""
# A fingerprint of what a canvas shows, to see it drawn again in other colours.
FINGERPRINT = """(id) => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  for (let i = 0; i < pixels.length; i += 1) sum = (sum * 31 + pixels[i]) % 1000000007;
  return sum;
}"""


@pytest.fixture(params=["light", "dark"])
def context_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"color_scheme": request.param}


def class_with_work(world: ClassWorld) -> None:
    exercise = world.exercise
    sam, tom = learner_join(world, "sam"), learner_join(world, "tom")
    learner_join(world, "una")
    lea = world.class_learner
    graded(lea, exercise, MONDAY, failing=("test_add_negative", "test_add_zero"))
    graded(lea, exercise, MONDAY + timedelta(minutes=20), verdict="syntax_error")
    graded(lea, exercise, MONDAY + timedelta(hours=1), failing=("test_add_negative",))
    graded(lea, exercise, MONDAY + timedelta(days=1))
    graded(sam, exercise, MONDAY + timedelta(days=1), failing=("test_add_negative",))
    graded(sam, exercise, MONDAY + timedelta(days=2), verdict="timeout")
    graded(sam, exercise, MONDAY + timedelta(days=3))
    graded(tom, exercise, MONDAY + timedelta(days=2), failing=("test_add",))
    for user, hints in ((lea, 1), (sam, 0), (tom, 1)):
        ExerciseProgress.objects.update_or_create(
            user=user, exercise=exercise, defaults={"hints_revealed": hints}
        )


def test_the_charts_are_drawn_in_the_schemes_colours(
    page: Page, live_site: Site, class_world: ClassWorld, context_options: dict[str, Any]
) -> None:
    scheme = context_options["color_scheme"]
    class_with_work(class_world)
    log_in(page, live_site, class_world.class_instructor)
    page.add_init_script(CSP_WATCH)

    page.goto(f"/teach/classes/{class_world.classroom.pk}/analytics/")

    assert page.locator("canvas[data-chart]").count() == len(CANVASES)
    for canvas in CANVASES:
        page.wait_for_function(f"([id, least]) => ({PAINTED})(id) > least", arg=[canvas, 500])
        # Chart.js leaves the canvas's text alternative as the page wrote it.
        assert page.get_attribute(f"#{canvas}", "role") == "img"
        assert (page.get_attribute(f"#{canvas}", "aria-label") or "").startswith(
            ("Bar chart.", "Line chart.")
        )
    assert page.evaluate("window.cspViolations") == []
    page.locator("details.chart__numbers").first.evaluate("(details) => { details.open = true; }")
    page.screenshot(path=SCREENSHOTS / f"analytics-{scheme}.png", full_page=True)
    # Two charts at full size, to look at closely.
    for section in ("pass-rate", "failed-tests"):
        page.locator(f"section[aria-labelledby={section}-title]").screenshot(
            path=SCREENSHOTS / f"analytics-{scheme}-{section}.png"
        )

    # The other scheme: drawn again in its colours without a reload.
    before = page.evaluate(FINGERPRINT, "chart-attempts")
    page.emulate_media(color_scheme="dark" if scheme == "light" else "light")
    # A function with its argument, not an expression: Playwright polls an
    # expression with eval, which the page's CSP (rightly) forbids.
    page.wait_for_function(f"(old) => ({FINGERPRINT})('chart-attempts') !== old", arg=before)
    assert page.evaluate(PAINTED, "chart-attempts") > 500
