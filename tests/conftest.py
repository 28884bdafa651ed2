"""Fixtures shared by the whole suite: named users and the shipped exercise."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from lessons.content_loader import ContentCheck, content_check, content_write
from lessons.models import Exercise

CONTENT = Path(settings.BASE_DIR) / "lessons" / "content"
FLASK_EXERCISE_DIR = CONTENT / "python-backend" / "exercises" / "flask-hello-world"


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


def exercise_files(folder: str) -> dict[str, str]:
    """The files of one folder of the Flask exercise (starter, solution, tests, hidden)."""
    return {path.name: path.read_text() for path in sorted((FLASK_EXERCISE_DIR / folder).glob("*"))}
