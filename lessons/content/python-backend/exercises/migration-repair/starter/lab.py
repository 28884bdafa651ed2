"""The workbench for this exercise: a throwaway SQLite database for the `shop`
app, and the few operations the tests use to drive your migrations.

You do not need to change this file. The tests call these functions, which
run Django's own `migrate` command on your migration files, in your code's
process, and send back plain data (lists, dicts, strings).

To watch your migrations run: `python lab.py`.
"""

import tempfile
from pathlib import Path

import django
from django.conf import settings

DATABASE = Path(tempfile.mkdtemp(prefix="shop-db-")) / "shop.sqlite3"
TABLE = "shop_customer"

# The editor has no tab for the packages' empty __init__.py files, and Django
# only reads migrations from a regular package, so they are made here.
for package in ("shop", "shop/migrations"):
    (Path(__file__).resolve().parent / package / "__init__.py").touch()

if not settings.configured:
    settings.configure(
        INSTALLED_APPS=["shop"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATABASE)}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
    )
    django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.autodetector import MigrationAutodetector  # noqa: E402
from django.db.migrations.loader import MigrationLoader  # noqa: E402
from django.db.migrations.questioner import NonInteractiveMigrationQuestioner  # noqa: E402
from django.db.migrations.recorder import MigrationRecorder  # noqa: E402
from django.db.migrations.state import ProjectState  # noqa: E402


def fresh_database(names: list[str]) -> None:
    """An empty database migrated to 0001_initial, holding one customer per
    name (ids 1, 2, 3... in order; the email is made up from the id)."""
    connection.close()
    DATABASE.unlink(missing_ok=True)
    migrate("0001")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} (id, name, email) VALUES (%s, %s, %s)",  # noqa: S608 - a constant
            [
                (number, name, f"customer{number}@example.com")
                for number, name in enumerate(names, 1)
            ],
        )


def migrate(target: str) -> list[str]:
    """Migrate the shop app forwards or backwards to `target` ("0003", or
    "zero" for none) with `manage.py migrate shop <target>`; the migrations
    applied afterwards."""
    call_command("migrate", "shop", target, verbosity=0, interactive=False)
    return applied()


def applied() -> list[str]:
    """The shop migrations the database has applied, in order."""
    return sorted(
        migration.name
        for migration in MigrationRecorder(connection).migration_qs.filter(app="shop")
    )


def rows() -> list[dict]:
    """Every customer as a dict of column values, by id."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {TABLE} ORDER BY id")  # noqa: S608 - a constant
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def columns() -> dict[str, dict]:
    """The customer table's columns as the database has them:
    {name: {"type": "varchar(200)", "null": True or False}}."""
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, TABLE)
    return {
        column.name: {"type": column.type_code, "null": column.null_ok} for column in description
    }


def insert(values: dict) -> dict:
    """Insert one customer with exactly these column values, as code that knows
    only these columns would (no defaults from the models): the row as stored."""
    names = ", ".join(column_names(values))
    placeholders = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} ({names}) VALUES ({placeholders})",  # noqa: S608 - checked, quoted names
            list(values.values()),
        )
        new_id = cursor.lastrowid
    return next(row for row in rows() if row["id"] == new_id)


def update(customer_id: int, values: dict) -> dict:
    """Set these column values on one customer, as code that knows only these
    columns would: the row as stored afterwards."""
    assignments = ", ".join(f"{name} = %s" for name in column_names(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET {assignments} WHERE id = %s",  # noqa: S608 - checked, quoted names
            [*values.values(), customer_id],
        )
    return next(row for row in rows() if row["id"] == customer_id)


def column_names(values: dict) -> list[str]:
    """The keys of `values`, quoted for SQL, once each is known to be a column
    of the table: values go in as query parameters, names cannot."""
    unknown = set(values) - set(columns())
    if unknown:
        raise ValueError(f"{TABLE} has no column {', '.join(sorted(unknown))} at this migration")
    return [connection.ops.quote_name(name) for name in values]


def unmigrated_changes() -> list[str]:
    """What `makemigrations shop` would write now: the differences between
    shop/models.py and what the migrations build ([] when they agree)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    detector = MigrationAutodetector(
        loader.project_state(),
        ProjectState.from_apps(apps),
        NonInteractiveMigrationQuestioner(specified_apps={"shop"}, dry_run=True),
    )
    changes = detector.changes(graph=loader.graph, trim_to_apps={"shop"})
    return [
        operation.describe()
        for migration in changes.get("shop", [])
        for operation in migration.operations
    ]


def model_fields() -> dict[str, dict]:
    """The fields of the Customer model in shop/models.py: {name: {"null": ..., "blank": ...}}."""
    model = apps.get_app_config("shop").get_model("customer")
    return {
        field.name: {"null": field.null, "blank": field.blank}
        for field in model._meta.get_fields()
        if field.concrete
    }


if __name__ == "__main__":
    fresh_database(["Ada Lovelace", "Grace Brewster Hopper", "Cher"])
    print("0001:", rows())
    for step in ["0002", "0003", "0004", "0005", "0001", "0005"]:
        try:
            print(f"\nmigrate shop {step}: applied {migrate(step)}")
        except Exception as error:
            print(f"\nmigrate shop {step} failed: {type(error).__name__}: {error}")
            break
        print("columns:", columns())
        for row in rows():
            print("   ", row)
    print("\nunmigrated changes in shop/models.py:", unmigrated_changes() or "none")
