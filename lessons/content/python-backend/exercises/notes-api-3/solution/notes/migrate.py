"""A small migration runner. Each file migrations/NNNN_what_it_does.sql is one
step; the steps run in the order of their numbers, each once per database, and
the table schema_version records which have run. Run at every start: a
database that is up to date is left alone."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).with_name("migrations")


def migration_steps() -> list[tuple[int, Path]]:
    """(number, file) for every step, in order. Numbers run 1, 2, 3... with no
    gap and no repeat, so that a misnamed file stops the app instead of being
    skipped."""
    steps = []
    for path in MIGRATIONS.glob("*.sql"):
        number = path.name.split("_", 1)[0]
        if not number.isdigit():
            raise ValueError(f"migration {path.name} must start with its number, like 0001_")
        steps.append((int(number), path))
    steps.sort()
    numbers = [number for number, _ in steps]
    if numbers != list(range(1, len(steps) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3... with no gap, found {numbers}")
    return steps


def statements(sql: str) -> list[str]:
    """The statements of a migration file: split on ';', without comments."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def current_version(engine: Engine) -> int:
    """The number of the last step applied to this database; 0 for a new one."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("schema_version"):
            return 0
        return connection.execute(
            text("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        ).scalar_one()


def migrate(engine: Engine) -> list[int]:
    """Apply the steps this database has not had yet; return their numbers."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        )
    done = current_version(engine)
    applied = []
    for number, path in migration_steps():
        if number <= done:
            continue
        # The step and the row that records it are committed together.
        with engine.begin() as connection:
            for statement in statements(path.read_text()):
                connection.exec_driver_sql(statement)
            connection.execute(
                text("INSERT INTO schema_version (version, name, applied_at) VALUES (:v, :n, :at)"),
                {"v": number, "n": path.name, "at": datetime.now(UTC).isoformat()},
            )
        applied.append(number)
    return applied
