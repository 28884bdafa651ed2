"""A real browser on a real server: Debian's Chromium driven by Playwright for
Python against Daphne on a free port, with the inline grader and the sandbox.

Playwright's own browser download cannot work here and is never used: the
browser is /usr/bin/chromium (`make system` installs it). Screenshots of the
key moments go to build/screenshots/ (git-ignored); a failing test also leaves
one there named after it.
"""

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from playwright.sync_api import Page, sync_playwright

from lessons.models import Exercise
from tests.live_server import Site, daphne_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EDITOR_BUNDLE = Path(settings.BASE_DIR) / "build" / "frontend" / "editor" / "editor.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "build" / "screenshots"
# Waits for the page itself; grading gets its own, longer ones in the tests.
PAGE_TIMEOUT_MS = 20_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # Lets the page fixture know that the test failed, to keep a screenshot.
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def static_collected() -> None:
    """The non-debug Daphne serves what `collectstatic` put in STATIC_ROOT
    (WhiteNoise without finders), so collect the current files first: the
    editor bundle from build/frontend/, the widget from static/."""
    if not EDITOR_BUNDLE.is_file():
        pytest.fail(f"{EDITOR_BUNDLE} is missing: `make frontend` (part of `make setup`) builds it")
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make system` installs Debian's chromium")
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def live_site(
    static_collected: None, flask_exercise: Exercise, transactional_db: None, tmp_path: Path
) -> Iterator[Site]:
    """Daphne on the test database (committed data only) with the real grader."""
    database_url = f"sqlite:///{connection.settings_dict['NAME']}"
    with daphne_server(database_url=database_url, log_dir=tmp_path) as site:
        yield site


@pytest.fixture
def context_options() -> dict[str, Any]:
    """More options of the page's browser context; a test module overrides this
    fixture to set, say, a time zone."""
    return {}


@pytest.fixture
def page(
    live_site: Site,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    context_options: dict[str, Any],
) -> Iterator[Page]:
    # Playwright's sync API runs an event loop in this thread; the test's own
    # ORM calls are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            base_url=live_site.base, viewport={"width": 1280, "height": 900}, **context_options
        )
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        opened = context.new_page()
        try:
            yield opened
        finally:
            report = getattr(request.node, "report_call", None)
            if report is not None and report.failed:
                opened.screenshot(
                    path=SCREENSHOTS / f"failed-{request.node.name}.png", full_page=True
                )
            context.close()
            browser.close()


def log_in(page: Page, site: Site, user: User) -> None:
    """Give the browser a session of `user`, made in this process's database."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": session.key, "value": session.value, "url": site.base}])
