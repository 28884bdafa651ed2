"""What the API accepts and answers. FastAPI checks requests against these
models (422 when a body does not fit) and filters responses through them."""

from pydantic import BaseModel


class NoteIn(BaseModel):
    # TODO: the rules for a title and a body.
    title: str
    body: str = ""


class NoteOut(BaseModel):
    id: int
    title: str
    body: str


class NoteList(BaseModel):
    items: list[NoteOut]


class Health(BaseModel):
    status: str
    app: str
