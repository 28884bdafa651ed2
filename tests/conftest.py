"""Fixtures shared by the whole suite: named users and the shipped exercise."""

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.sync import SyncToAsync
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections

from lessons.loader.check import ContentCheck, content_check
from lessons.loader.sync import content_write
from lessons.models import Exercise
from tests.live_server import Site, daphne_server, live_database_url
from tests.support.classes import ClassWorld, class_world_make
from tests.support.courses import demo_course_files, tree_write

# Course content used as test data (its exercises' tests are graded in the
# sandbox, not collected here).
collect_ignore = ["content"]

CONTENT = Path(settings.BASE_DIR) / "lessons" / "content"
FLASK_EXERCISE_DIR = CONTENT / "python-backend" / "exercises" / "flask-hello-world"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """pytest-django's, and before the test database is dropped: close what async
    tests left open in other threads, which on PostgreSQL would make the drop fail.

    Channels' session and auth middleware and the consumer read the database in
    asgiref's threads, and the connection stays with the thread after the call
    (asgiref keeps a context's storage with the thread it ran in): the shared
    sync thread lives on, and the event loops' pool threads are gone but their
    connections wait for the garbage collector.
    """
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)
    gc.collect()


@pytest.fixture
def learner(db: None) -> User:
    return User.objects.create_user("learner", "learner@example.com", "learner-password-1")


@pytest.fixture
def other_learner(db: None) -> User:
    return User.objects.create_user("other", "other@example.com", "other-password-1")


@pytest.fixture
def instructor(db: None) -> User:
    return User.objects.create_user(
        "instructor", "instructor@example.com", "instructor-password-1", is_staff=True
    )


@pytest.fixture(scope="session")
def shipped_content() -> ContentCheck:
    """The shipped course, parsed and rendered once for the whole run."""
    return content_check(path=CONTENT)


@pytest.fixture
def flask_exercise(db: None, shipped_content: ContentCheck) -> Exercise:
    """The shipped "Hello, World in Flask" exercise, loaded as `make run` loads it."""
    content_write(check=shipped_content)
    return Exercise.objects.get(slug="flask-hello-world")


@pytest.fixture
def site(flask_exercise: Exercise, tmp_path: Path) -> Iterator[Site]:
    """Daphne with the in-process grader on a free port, over the test database."""
    with daphne_server(database_url=live_database_url(), log_dir=tmp_path) as running:
        yield running


def exercise_files(folder: str) -> dict[str, str]:
    """The files of one folder of the Flask exercise (starter, solution, tests, hidden)."""
    return {path.name: path.read_text() for path in sorted((FLASK_EXERCISE_DIR / folder).glob("*"))}


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """An empty content folder for a course a test writes."""
    root = tmp_path / "content"
    root.mkdir()
    return root


@pytest.fixture
def demo_root(content_root: Path) -> Path:
    return tree_write(content_root, demo_course_files())


@pytest.fixture
def class_world(db: None, content_root: Path) -> ClassWorld:
    """The demo course with a class, its instructor and learners, and the others
    that must not see it (tests/support/classes.py)."""
    return class_world_make(content_root)
