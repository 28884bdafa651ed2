"""/notes: create, list, read, replace and delete notes."""

from fastapi import APIRouter

from notes.dependencies import StoreDep
from notes.schemas import NoteIn, NoteOut

# TODO: every route of this router lives under /notes.
router = APIRouter(tags=["notes"])


@router.post("/notes")
def create_note(data: NoteIn, store: StoreDep) -> NoteOut:
    return store.add(data)


# TODO: GET /notes, GET /notes/{note_id}, PUT /notes/{note_id}, DELETE /notes/{note_id}.
