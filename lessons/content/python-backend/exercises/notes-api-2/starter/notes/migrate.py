"""A small migration runner. Each file migrations/NNNN_what_it_does.sql is one
step; the steps run in the order of their numbers, each once per database, and
the table schema_version records which have run. Run at every start: a
database that is up to date is left alone."""

from pathlib import Path

from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def current_version(engine: Engine) -> int:
    """The number of the last step applied to this database; 0 for a new one."""
    # TODO
    return 0


def migrate(engine: Engine) -> list[int]:
    """Apply the steps this database has not had yet; return their numbers."""
    # TODO
    return []
