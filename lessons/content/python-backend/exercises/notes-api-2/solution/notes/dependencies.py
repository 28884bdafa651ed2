"""What routes ask for, as FastAPI dependencies. A route never reaches for a
global: it declares what it needs, and a test can swap any of these with
app.dependency_overrides[get_settings] = lambda: Settings(...)."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from notes.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, closed when the answer has been sent."""
    with request.app.state.session_factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Session, Depends(get_db)]
