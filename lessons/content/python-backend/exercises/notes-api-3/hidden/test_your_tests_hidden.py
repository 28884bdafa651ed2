"""These grade YOUR tests: test_notes_api.py runs against the reference notes
API, where it must pass, and against copies of it with one bug planted, each of
which at least one of your tests must catch."""

import functools

from learner_tools import pytest_run
from notes_reference import SOURCES


@functools.cache
def run_your_tests(file, old, new):
    """Your tests, run in your own process against the reference, changed in one place."""
    files = dict(SOURCES)
    if file:
        assert files[file].count(old) == 1, f"{old!r} must occur once in {file}"
        files[file] = files[file].replace(old, new)
    result = pytest_run(files=files, tests=["test_notes_api.py"], timeout=30)
    return result["returncode"], result["output"]


def assert_pass_on_the_reference():
    returncode, _ = run_your_tests("", "", "")
    assert returncode == 0, "your tests must pass on the reference app first"


def assert_caught(file, old, new):
    assert_pass_on_the_reference()
    returncode, _ = run_your_tests(file, old, new)
    assert returncode not in (0, None)


def test_your_tests_pass_on_the_reference_app():
    assert_pass_on_the_reference()


def test_your_tests_catch_notes_readable_by_anyone():
    assert_caught(
        "notes/routers/notes.py",
        "select(Note).where(Note.id == note_id, Note.owner_id == user.id)",
        "select(Note).where(Note.id == note_id)",
    )


def test_your_tests_catch_a_list_of_everyones_notes():
    assert_caught("notes/routers/notes.py", "mine = Note.owner_id == user.id", "mine = Note.id > 0")


def test_your_tests_catch_any_password_accepted():
    assert_caught(
        "notes/routers/auth.py",
        "if not verify_password(user.password_hash if user else None, form.password):",
        "if user is None:",
    )


def test_your_tests_catch_made_up_tokens_accepted():
    assert_caught(
        "notes/dependencies.py",
        "row = db.get(Token, digest(token))",
        "row = db.get(Token, digest(token)) or db.query(Token).first()",
    )


def test_your_tests_catch_an_uncapped_limit():
    assert_caught(
        "notes/routers/notes.py",
        "limit = min(limit or settings.page_size, settings.max_page_size)",
        "limit = limit or settings.page_size",
    )


def test_your_tests_catch_a_delete_that_keeps_the_note():
    assert_caught(
        "notes/routers/notes.py",
        "    db.delete(own_note_or_404(db, user, note_id))\n",
        "    own_note_or_404(db, user, note_id)\n",
    )


def test_your_tests_catch_empty_titles_accepted():
    assert_caught(
        "notes/schemas.py",
        "title: str = Field(min_length=1, max_length=200)",
        "title: str = Field(max_length=200)",
    )
