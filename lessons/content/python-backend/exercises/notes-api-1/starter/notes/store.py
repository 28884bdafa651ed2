"""Notes kept in memory, for now. One store per app, made by the factory,
so that two apps (two tests) never share notes."""

from notes.schemas import NoteIn, NoteOut


class NoteStore:
    def __init__(self) -> None:
        self._notes: dict[int, NoteOut] = {}
        self._next_id = 1

    def add(self, data: NoteIn) -> NoteOut:
        note = NoteOut(id=self._next_id, **data.model_dump())
        self._notes[note.id] = note
        self._next_id += 1
        return note

    def all(self) -> list[NoteOut]:
        return sorted(self._notes.values(), key=lambda note: note.id)

    def get(self, note_id: int) -> NoteOut | None:
        return self._notes.get(note_id)

    def replace(self, note_id: int, data: NoteIn) -> NoteOut | None:
        if note_id not in self._notes:
            return None
        self._notes[note_id] = NoteOut(id=note_id, **data.model_dump())
        return self._notes[note_id]

    def delete(self, note_id: int) -> bool:
        return self._notes.pop(note_id, None) is not None
