"""What the API accepts and answers. FastAPI checks requests against these
models (422 when a body does not fit) and filters responses through them."""

from pydantic import BaseModel, ConfigDict, Field


class NoteIn(BaseModel):
    # Unknown fields are refused rather than silently dropped.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=10_000)


class NoteOut(BaseModel):
    id: int
    title: str
    body: str


class NoteList(BaseModel):
    items: list[NoteOut]


class Health(BaseModel):
    status: str
    app: str
