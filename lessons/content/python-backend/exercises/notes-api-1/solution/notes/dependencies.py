"""What routes ask for, as FastAPI dependencies. A route never reaches for a
global: it declares what it needs, and a test can swap any of these with
app.dependency_overrides[get_settings] = lambda: Settings(...)."""

from typing import Annotated

from fastapi import Depends, Request

from notes.settings import Settings
from notes.store import NoteStore


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> NoteStore:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[NoteStore, Depends(get_store)]
