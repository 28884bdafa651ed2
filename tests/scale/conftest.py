"""The scaled-out tests need PostgreSQL and Redis: `make test` starts both
(scripts/services.sh) and runs this folder with DATABASE_URL, REDIS_URL and
GRADER_BACKEND=celery. Elsewhere they are skipped, unless LECTERN_REQUIRE_SERVICES
is set, which turns the skip into a failure (so a broken set-up cannot pass)."""

import os
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app


def _missing() -> str:
    if connection.vendor != "postgresql":
        return "DATABASE_URL is not a PostgreSQL database"
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    if settings.GRADER_BACKEND != "celery":
        return "GRADER_BACKEND is not celery"
    return ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    scaled_out = [item for item in items if str(item.path).startswith(here)]
    missing = _missing()
    if not missing or not scaled_out:
        return
    if os.environ.get("LECTERN_REQUIRE_SERVICES"):
        raise pytest.UsageError(f"the scaled-out tests cannot run: {missing}")
    for item in scaled_out:
        item.add_marker(pytest.mark.skip(reason=f"scaled-out test: {missing}"))


@pytest.fixture
def broker_empty() -> Iterator[None]:
    """No task left in the grading queue by an earlier test (they would be
    harmless, their submissions are gone, but they would cost the workers time),
    in the live queue or the regrades' one."""
    app.control.purge()
    _regrade_queue_purge()
    yield
    app.control.purge()
    _regrade_queue_purge()


def _regrade_queue_purge() -> None:
    redis.Redis.from_url(settings.REDIS_URL).delete(settings.GRADER_REGRADE_QUEUE)
