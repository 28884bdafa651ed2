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


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (the process environment by default). A value
    that is set but wrong stops the app with a message naming the variable,
    rather than running with a guess."""
    environ = os.environ if environ is None else environ
    defaults = Settings()
    page_size = _positive_int(environ, "NOTES_PAGE_SIZE", defaults.page_size)
    max_page_size = _positive_int(environ, "NOTES_MAX_PAGE_SIZE", defaults.max_page_size)
    if page_size > max_page_size:
        raise ValueError(
            f"NOTES_PAGE_SIZE ({page_size}) must not be above NOTES_MAX_PAGE_SIZE ({max_page_size})"
        )
    return Settings(
        app_name=environ.get("NOTES_APP_NAME") or defaults.app_name,
        database_url=environ.get("NOTES_DATABASE_URL") or defaults.database_url,
        page_size=page_size,
        max_page_size=max_page_size,
    )
