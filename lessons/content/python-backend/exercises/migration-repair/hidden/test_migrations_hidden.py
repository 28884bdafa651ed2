import lab
import pytest


def migrate(target):
    try:
        return lab.migrate(target)
    except Exception as error:
        pytest.fail(f"migrate shop {target} raised {type(error).__name__}: {error}", pytrace=False)


def expected_split(full_name):
    parts = full_name.split(maxsplit=1)
    return (parts[0] if parts else "", parts[1].strip() if len(parts) > 1 else "")


def assert_split(rows, step):
    wrong = [
        f"customer {row['id']} {row['full_name']!r}: got first_name={row.get('first_name')!r}, "
        f"last_name={row.get('last_name')!r}, expected {expected_split(row['full_name'])!r}"
        for row in rows
        if (row.get("first_name"), row.get("last_name")) != expected_split(row["full_name"])
    ]
    assert not wrong, f"after {step}: " + "; ".join(wrong[:5])


def backfilled(names):
    lab.fresh_database(names)
    migrate("0005")
    rows = lab.rows()
    assert [row["full_name"] for row in rows] == names, "full_name changed"
    return rows


def test_one_word_and_empty_names():
    assert_split(backfilled(["Cher", "", "Madonna", "Ada Lovelace"]), "0005")


def test_names_beyond_ascii():
    names = [
        "José María Aznar",
        "Zoë Ångström",
        "Nguyễn Thị Minh Khai",
        "宮崎 駿",
        "Ólafur Arnalds",
    ]
    assert_split(backfilled(names), "0005")


def test_names_with_extra_spaces():
    assert_split(backfilled(["  Grace   Hopper ", "Ada  King  Lovelace", " Cher "]), "0005")


def test_the_backfill_reaches_every_row():
    names = [f"Given{number} Family{number}" for number in range(2345)]
    lab.fresh_database(names)
    migrate("0004")
    rows = lab.rows()
    assert len(rows) == len(names)
    missing = [row["id"] for row in rows if row["first_name"] is None or row["last_name"] is None]
    assert not missing, f"{len(missing)} of {len(rows)} customers were not backfilled"
    assert_split(rows, "0004")
    migrate("0005")


def test_customers_added_by_the_old_code_are_backfilled():
    lab.fresh_database(["Ada Lovelace"])
    migrate("0003")
    lab.insert({"full_name": "Alan Mathison Turing", "email": "alan@example.com"})
    migrate("0005")
    assert_split(lab.rows(), "0005")


def test_a_name_changed_after_a_rollback_is_split_again():
    lab.fresh_database(["Ada Lovelace", "Grace Hopper"])
    migrate("0005")
    # The release is rolled back to 0003; the old code, which knows only
    # full_name, goes on running and a customer corrects their name.
    migrate("0003")
    lab.update(2, {"full_name": "Grace Brewster Hopper"})
    migrate("0005")
    assert_split(lab.rows(), "rolling back to 0003, renaming a customer and migrating to 0005")


def test_the_rename_and_backfill_survive_a_round_trip_on_awkward_names():
    names = ["", "Cher", "  Zoë   Ångström ", "宮崎 駿"]
    lab.fresh_database(names)
    migrate("0005")
    migrate("0001")
    assert [row["name"] for row in lab.rows()] == names
    migrate("0005")
    assert_split(lab.rows(), "0001 -> 0005 -> 0001 -> 0005")
