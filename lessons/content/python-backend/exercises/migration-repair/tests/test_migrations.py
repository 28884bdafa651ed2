# Each test builds a fresh SQLite database at 0001_initial holding real
# customers, then runs Django's `migrate` on your migration files (through the
# functions of lab.py, in your code's process) and looks at the rows and the
# columns the database ends up with.
import lab
import pytest

NAMES = ["Ada Lovelace", "Grace Brewster Hopper", "Cher"]
SPLIT = {
    "Ada Lovelace": ("Ada", "Lovelace"),
    "Grace Brewster Hopper": ("Grace", "Brewster Hopper"),
    "Cher": ("Cher", ""),
}


def migrate(target):
    """`migrate shop <target>`, turning an error into a failure that names the step."""
    try:
        return lab.migrate(target)
    except Exception as error:
        pytest.fail(f"migrate shop {target} raised {type(error).__name__}: {error}", pytrace=False)


def names_lost(rows, column):
    """Each customer whose `column` no longer holds the name it was created with."""
    return [
        f"customer {row['id']}: {NAMES[row['id'] - 1]!r} became {row.get(column)!r}"
        for row in rows
        if row.get(column) != NAMES[row["id"] - 1]
    ]


def wrong_splits(rows):
    """Each customer whose first_name and last_name are not its full_name split."""
    return [
        f"customer {row['id']} {row['full_name']!r}: got first_name={row.get('first_name')!r}, "
        f"last_name={row.get('last_name')!r}, expected {SPLIT[row['full_name']]!r}"
        for row in rows
        if (row.get("first_name"), row.get("last_name")) != SPLIT.get(row["full_name"])
    ]


def test_the_rename_keeps_every_name():
    lab.fresh_database(NAMES)
    migrate("0002")
    rows = lab.rows()
    assert len(rows) == len(NAMES), f"there were {len(NAMES)} customers, now {len(rows)}"
    assert "name" not in rows[0] and "full_name" in rows[0], (
        f"after 0002 the table should have full_name instead of name, it has {sorted(rows[0])}"
    )
    lost = names_lost(rows, "full_name")
    assert not lost, "0002 lost customers' names: " + "; ".join(lost)
    assert [row["email"] for row in rows] == [f"customer{n}@example.com" for n in (1, 2, 3)]


def test_the_rename_can_be_undone():
    lab.fresh_database(NAMES)
    migrate("0002")
    migrate("0001")
    lost = names_lost(lab.rows(), "name")
    assert not lost, "migrating back from 0002 to 0001 lost names: " + "; ".join(lost)


def test_expand_adds_columns_the_old_code_can_live_with():
    lab.fresh_database(NAMES)
    migrate("0003")
    columns = lab.columns()
    for name in ("first_name", "last_name"):
        assert name in columns, f"after 0003 the table should have {name}: it has {sorted(columns)}"
        assert columns[name]["null"], (
            f"0003 should add {name} as a nullable column: the code still running during the "
            "deploy knows nothing of it and inserts customers without it"
        )
    try:
        # What the code of the last release does: it knows only full_name and email.
        lab.insert({"full_name": "Alan Turing", "email": "alan@example.com"})
    except Exception as error:
        pytest.fail(
            "at 0003, the running code could not add a customer with only full_name and "
            f"email: {type(error).__name__}: {error}",
            pytrace=False,
        )


def test_the_backfill_splits_every_name():
    lab.fresh_database(NAMES)
    migrate("0004")
    rows = lab.rows()
    lost = names_lost(rows, "full_name")
    assert not lost, "the backfill changed full_name: " + "; ".join(lost)
    wrong = wrong_splits(rows)
    assert not wrong, "after 0004: " + "; ".join(wrong)


def test_contract_makes_the_new_columns_required():
    lab.fresh_database(NAMES)
    migrate("0005")
    columns = lab.columns()
    for name in ("first_name", "last_name"):
        assert name in columns, f"after 0005 the table should have {name}: it has {sorted(columns)}"
        assert not columns[name]["null"], f"after 0005, {name} should be NOT NULL"
    wrong = wrong_splits(lab.rows())
    assert not wrong, "after 0005: " + "; ".join(wrong)


def test_all_the_way_back_and_forward_again():
    lab.fresh_database(NAMES)
    migrate("0005")
    assert migrate("0001") == ["0001_initial"]
    rows = lab.rows()
    assert sorted(rows[0]) == ["email", "id", "name"], (
        f"back at 0001 the table should have its first columns again, it has {sorted(rows[0])}"
    )
    lost = names_lost(rows, "name")
    assert not lost, "migrating back from 0005 to 0001 lost names: " + "; ".join(lost)
    migrate("0005")
    wrong = wrong_splits(lab.rows())
    assert not wrong, "after going back to 0001 and forward to 0005 again: " + "; ".join(wrong)


def test_the_models_agree_with_the_migrations():
    fields = lab.model_fields()
    for name in ("full_name", "first_name", "last_name"):
        assert name in fields, f"the Customer model should have a {name} field"
        assert not fields[name]["null"], f"Customer.{name} should not be null=True in models.py"
    changes = lab.unmigrated_changes()
    assert not changes, (
        "makemigrations would write a new migration, so models.py and the migrations "
        "disagree: " + "; ".join(changes)
    )
