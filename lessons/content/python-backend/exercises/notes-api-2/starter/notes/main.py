"""The app factory. `create_app(settings)` builds a fresh app: its own settings,
its own store, its routers. `app` at the bottom is what a server runs:

    uvicorn notes.main:app --reload
"""

from fastapi import FastAPI

from notes.dependencies import SettingsDep
from notes.routers import notes
from notes.schemas import Health
from notes.settings import Settings, load_settings
from notes.store import NoteStore


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    app = FastAPI(title=settings.app_name)
    app.state.settings = settings
    app.state.store = NoteStore()
    app.include_router(notes.router)

    @app.get("/health", tags=["health"])
    def health(settings: SettingsDep) -> Health:
        return Health(status="ok", app=settings.app_name)

    return app


app = create_app()
