"""A project's next step starts from the learner's own passing code of the step
before (front matter `continues`), graded for real."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from grader.services import grade_submission, submission_create
from learning.models import Draft
from lessons.loader.check import content_check
from lessons.loader.sync import content_load
from lessons.models import Exercise
from tests.support.clients import logged_in
from tests.support.courses import tree_write

pytestmark = pytest.mark.django_db

STEP = (
    "---\ntitle: Step {n}\nlimits:\n  wall_seconds: 30\n{continues}tests:\n  test_add: 1\n---\n"
    "Write `add`.\n"
)
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
LEARNERS_CODE = "def add(a, b):\n    return a + b  # LEARNERS_OWN_CODE\n"


def project(root: Path, *, continues: str = "step-one") -> Path:
    files = {
        "proj/course.md": "---\ntitle: Project\n---\n",
        "proj/01-only/module.md": "---\ntitle: Only\n---\n",
        "proj/01-only/01-steps.md": (
            "---\ntitle: Steps\nexercises: [step-one, step-two]\n---\nGo.\n"
        ),
    }
    for n, slug in ((1, "step-one"), (2, "step-two")):
        folder = f"proj/exercises/{slug}"
        files[f"{folder}/exercise.md"] = STEP.format(
            n=n, continues=f"continues: {continues}\n" if n == 2 else ""
        )
        files[f"{folder}/starter/calc.py"] = "def add(a, b):\n    return 0\n"
        files[f"{folder}/solution/calc.py"] = "def add(a, b):\n    return a + b\n"
        files[f"{folder}/tests/test_calc.py"] = TEST
    # Step two has a file of its own, which the learner's code of step one lacks.
    files["proj/exercises/step-two/starter/notes.md"] = "STEP_TWO_STARTER_NOTES\n"
    files["proj/exercises/step-two/solution/notes.md"] = "notes\n"
    return tree_write(root, files)


def test_a_learner_who_passed_starts_the_next_step_from_their_own_code(
    content_root: Path, learner: User, other_learner: User
) -> None:
    content_load(root=project(content_root))
    step_one, step_two = (
        Exercise.objects.get(slug="step-one"),
        Exercise.objects.get(slug="step-two"),
    )
    assert step_two.continues_from == "step-one"
    workspace = reverse(
        "learning:exercise",
        kwargs={"course_slug": "proj", "lesson_slug": "steps", "exercise_slug": "step-two"},
    )
    continue_url = reverse("grader:exercise_continue", kwargs={"exercise_slug": "step-two"})
    client = logged_in(learner)

    # Not passed yet: no offer, and the endpoint says why.
    assert 'data-role="continue"' not in client.get(workspace).text
    refused = client.post(continue_url)
    assert refused.status_code == 409
    assert "not passed yet" in refused.text

    passed = submission_create(exercise=step_one, files={"calc.py": LEARNERS_CODE}, user=learner)
    grade_submission(passed.id, worker="test")
    # Another learner's passing code is never anyone else's start.
    others = submission_create(
        exercise=step_one,
        files={"calc.py": "def add(a, b):\n    return b + a  # OTHER\n"},
        user=other_learner,
    )
    grade_submission(others.id, worker="test")

    assert f'action="{continue_url}"' in client.get(workspace).text
    started = client.post(continue_url)

    assert started.status_code == 302 and started["Location"] == workspace
    draft = Draft.objects.get(user=learner, exercise=step_two)
    assert draft.files == {"calc.py": LEARNERS_CODE, "notes.md": "STEP_TWO_STARTER_NOTES\n"}
    assert logged_in(other_learner).get(workspace).status_code == 200


def test_continues_must_name_an_exercise_of_the_course(content_root: Path) -> None:
    check = content_check(path=project(content_root, continues="no-such-step"))
    assert [error.message for error in check.errors] == [
        "'continues' names 'no-such-step', which is no exercise of this course"
    ]
