"""The app factory. `create_app(settings)` builds a fresh app: its own settings,
its own store, its routers. `app` at the bottom is what a server runs:

    uvicorn notes.main:app --reload
"""

from fastapi import FastAPI

from notes.routers import notes
from notes.schemas import Health
from notes.settings import Settings
from notes.store import NoteStore

STORE = NoteStore()


def create_app(settings: Settings | None = None) -> FastAPI:
    # TODO: settings from the environment unless given; one store per app.
    app = FastAPI(title="Notes API")
    app.state.store = STORE
    app.include_router(notes.router)

    @app.get("/health", tags=["health"])
    def health() -> Health:
        return Health(status="ok", app="TODO")

    return app


app = create_app()
