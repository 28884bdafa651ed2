"""What routes ask for, as FastAPI dependencies."""

from typing import Annotated

from fastapi import Depends, Request

from notes.settings import Settings
from notes.store import NoteStore


def get_settings() -> Settings:
    # TODO: the settings of the app that is answering, not a fresh default.
    return Settings()


def get_store(request: Request) -> NoteStore:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[NoteStore, Depends(get_store)]
