"""/notes: create, list, read, replace and delete notes."""

from fastapi import APIRouter, HTTPException, Response, status

from notes.dependencies import StoreDep
from notes.schemas import NoteIn, NoteList, NoteOut

router = APIRouter(prefix="/notes", tags=["notes"])


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "Note not found")


@router.post("", status_code=status.HTTP_201_CREATED)
def create_note(data: NoteIn, store: StoreDep, response: Response) -> NoteOut:
    note = store.add(data)
    response.headers["Location"] = f"/notes/{note.id}"
    return note


@router.get("")
def list_notes(store: StoreDep) -> NoteList:
    return NoteList(items=store.all())


@router.get("/{note_id}")
def read_note(note_id: int, store: StoreDep) -> NoteOut:
    note = store.get(note_id)
    if note is None:
        raise not_found()
    return note


@router.put("/{note_id}")
def replace_note(note_id: int, data: NoteIn, store: StoreDep) -> NoteOut:
    note = store.replace(note_id, data)
    if note is None:
        raise not_found()
    return note


@router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(note_id: int, store: StoreDep) -> None:
    if not store.delete(note_id):
        raise not_found()
