"""The tables, as SQLAlchemy sees them. The migrations in migrations/ create
them: these classes must describe what the migrations built, column for column."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# TODO: class Note(Base), mapped to the notes table of 0001_create_notes.sql.
