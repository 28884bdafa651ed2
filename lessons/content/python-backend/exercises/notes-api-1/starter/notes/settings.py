"""The configuration, read from the environment once, when the app is built.

Every setting has a default that works on a laptop, so `uvicorn notes.main:app`
runs with no environment at all; a deployment overrides what it needs:

    NOTES_APP_NAME=Notes NOTES_PAGE_SIZE=50 uvicorn notes.main:app
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    app_name: str = "Notes API"
    database_url: str = "sqlite:///./notes.db"
    page_size: int = 20
    max_page_size: int = 100


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (the process environment by default)."""
    environ = os.environ if environ is None else environ
    # TODO: read NOTES_APP_NAME, NOTES_DATABASE_URL, NOTES_PAGE_SIZE and
    # NOTES_MAX_PAGE_SIZE, and refuse values that make no sense.
    return Settings()
