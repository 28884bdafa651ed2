"""A class of many learners whose submissions were graded for real, and the
change of tests that makes a regrade worth it (tests/grader/test_regrades.py,
tests/scale/test_celery_regrades.py)."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.contrib.auth.models import User
from django.db import connection

from classes.services import classroom_join
from grader.models import Submission
from grader.services import grade_submission, submission_create
from lessons.loader.sync import content_load
from tests.support.classes import ClassWorld

RIGHT = {"calc.py": "def add(a, b):\n    return a + b\n"}
# Right for the integers the first tests use; wrong for the floats of the new ones.
TRUNCATING = {"calc.py": "def add(a, b):\n    return int(a) + int(b)\n"}
NEW_HIDDEN_TESTS = (
    "from calc import add\n\n\n"
    "def test_add_negative():\n    assert add(0.5, -0.25) == 0.25\n\n\n"
    "def test_add_zero():\n    assert add(0, 0) == 0\n"
)


def graded(submissions: list[Submission]) -> None:
    """Grade them in this process, two at a time, with the real sandbox."""

    def grade(submission: Submission) -> None:
        try:
            grade_submission(submission.id, worker="test")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(grade, submissions))


def class_of(world: ClassWorld, size: int) -> list[User]:
    """The world's class grown to `size` learners, its own learner first."""
    learners = [world.class_learner]
    for number in range(1, size):
        learner = User.objects.create_user(f"learner{number:02}", password="x")
        classroom_join(user=learner, code=world.classroom.join_code)
        learners.append(learner)
    return learners


def submitted_and_graded(
    world: ClassWorld, learners: list[User], content_root: Path
) -> list[Submission]:
    """Every other learner sends TRUNCATING, the rest RIGHT: all pass the first tests."""
    time_limit_raised(content_root)
    originals = [
        submission_create(
            exercise=world.exercise, files=TRUNCATING if index % 2 else RIGHT, user=learner
        )
        for index, learner in enumerate(learners)
    ]
    graded(originals)
    return originals


EXERCISE_FOLDER = Path("demo") / "exercises" / "demo-add"


def time_limit_raised(content_root: Path) -> None:
    """The demo exercise's 5 s limit raised to 30 s and loaded: these tests grade
    a hundred runs at once, and their outcome must not depend on the machine's
    speed (a busy one would time some of them out)."""
    exercise = content_root / EXERCISE_FOLDER / "exercise.md"
    exercise.write_text(exercise.read_text().replace("wall_seconds: 5", "wall_seconds: 30"))
    content_load(root=content_root)


def exercise_tests_changed(content_root: Path) -> None:
    """What an instructor does: edit the exercise's tests, then load the content."""
    hidden = content_root / EXERCISE_FOLDER / "hidden" / "test_calc_hidden.py"
    hidden.write_text(NEW_HIDDEN_TESTS)
    content_load(root=content_root)
