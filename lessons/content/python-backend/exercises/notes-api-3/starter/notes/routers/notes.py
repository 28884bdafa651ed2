"""/notes: create, list, read, replace and delete notes."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from notes.dependencies import DbDep, SettingsDep
from notes.models import Note
from notes.schemas import NoteIn, NoteOut, NotePage

router = APIRouter(prefix="/notes", tags=["notes"])

# Newest first. created_at alone is not enough: notes made in the same second
# tie, and rows that tie may come back in any order, page after page.
NEWEST_FIRST = (Note.created_at.desc(), Note.id.desc())


def note_or_404(db: Session, note_id: int) -> Note:
    note = db.get(Note, note_id)
    if note is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Note not found")
    return note


@router.post("", status_code=status.HTTP_201_CREATED)
def create_note(data: NoteIn, db: DbDep, response: Response) -> NoteOut:
    note = Note(**data.model_dump())
    db.add(note)
    db.commit()
    db.refresh(note)
    response.headers["Location"] = f"/notes/{note.id}"
    return NoteOut.model_validate(note)


@router.get("")
def list_notes(
    db: DbDep,
    settings: SettingsDep,
    limit: Annotated[int | None, Query(ge=1)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NotePage:
    limit = min(limit or settings.page_size, settings.max_page_size)
    total = db.scalar(select(func.count()).select_from(Note))
    notes = db.scalars(select(Note).order_by(*NEWEST_FIRST).limit(limit).offset(offset))
    return NotePage(
        items=[NoteOut.model_validate(note) for note in notes],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{note_id}")
def read_note(note_id: int, db: DbDep) -> NoteOut:
    return NoteOut.model_validate(note_or_404(db, note_id))


@router.put("/{note_id}")
def replace_note(note_id: int, data: NoteIn, db: DbDep) -> NoteOut:
    note = note_or_404(db, note_id)
    note.title, note.body = data.title, data.body
    db.commit()
    return NoteOut.model_validate(note)


@router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(note_id: int, db: DbDep) -> None:
    db.delete(note_or_404(db, note_id))
    db.commit()
