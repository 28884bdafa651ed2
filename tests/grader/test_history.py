"""The submission history pages: a learner's own submissions of an exercise,
with their code and results; nobody else's."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from grader.models import Submission
from grader.vocabulary import TEST_STATUS_ICONS, TestStatus
from lessons.models import Exercise
from tests.support.clients import logged_in

pytestmark = pytest.mark.django_db

HISTORY = "/exercises/flask-hello-world/history/"
CODE = 'from flask import Flask\n\napp = Flask(__name__)\nprint("MY_CODE_MARKER")\n'


def test_entry(name: str, status: str, **extra: Any) -> dict[str, Any]:
    entry = {
        "name": name,
        "status": status,
        "message": "",
        "output": "",
        "points": 1.0 if status == "pass" else 0.0,
        "max_points": 1.0,
        "visibility": "visible",
        "duration_ms": 3,
    }
    entry.update(extra)
    return entry


test_entry.__test__ = False  # type: ignore[attr-defined]


def graded(
    user: User,
    exercise: Exercise,
    *,
    verdict: str = "failed",
    mode: str = Submission.Mode.SUBMIT,
    minutes_ago: int = 0,
    files: dict[str, str] | None = None,
    **result: Any,
) -> Submission:
    tests = result.pop(
        "tests",
        [
            test_entry("test_hello_returns_200", "pass"),
            test_entry(
                "test_hello_returns_json_message",
                "fail",
                message="AssertionError: assert 404 == 200",
                output="DEBUG_PRINTED_MARKER",
            ),
            test_entry(
                "test_hello_content_type_is_json",
                "fail",
                visibility="hidden",
                message="The response must be JSON.",
            ),
        ],
    )
    score = sum(test["points"] for test in tests)
    document = {
        "version": 3,
        "status": {"passed": "pass", "failed": "fail"}.get(verdict, "error"),
        "verdict": verdict,
        "message": f"{sum(t['status'] == 'pass' for t in tests)} of {len(tests)} tests passed.",
        "location": None,
        "score": score,
        "max_score": float(len(tests)),
        "gradable": True,
        "output": "",
        "tests": tests,
    }
    document.update(result)
    submission = Submission.objects.create(
        exercise=exercise,
        user=user,
        mode=mode,
        files=files or {"app.py": CODE},
        status=Submission.Status.COMPLETED,
        result=document,
        score=document["score"],
        max_score=document["max_score"],
        result_status=document["status"],
        gradable=True,
    )
    # created_at is set on insert; move it back to order the history.
    Submission.objects.filter(pk=submission.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    submission.refresh_from_db()
    return submission


def detail_url(submission: Submission) -> str:
    return f"{HISTORY}{submission.id}/"


def test_anonymous_visitors_are_sent_to_log_in(client: Client, flask_exercise: Exercise) -> None:
    response = client.get(HISTORY)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={HISTORY}"


def test_anonymous_visitors_cannot_open_a_submission(
    client: Client, learner: User, flask_exercise: Exercise
) -> None:
    submission = graded(learner, flask_exercise)

    response = client.get(detail_url(submission))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_history_lists_the_learners_submissions_newest_first(
    learner: User, other_learner: User, flask_exercise: Exercise
) -> None:
    older = graded(learner, flask_exercise, minutes_ago=10)
    run = graded(learner, flask_exercise, mode=Submission.Mode.RUN, minutes_ago=5)
    newest = graded(
        learner,
        flask_exercise,
        verdict="passed",
        tests=[test_entry("test_hello_returns_200", "pass")],
    )
    theirs = graded(other_learner, flask_exercise)

    response = logged_in(learner).get(HISTORY)

    assert response.status_code == 200
    text = response.text
    positions = [text.index(detail_url(item)) for item in (newest, run, older)]
    assert positions == sorted(positions)
    assert str(theirs.id) not in text
    assert "Passed" in text and "Failed" in text
    assert "<td>Run</td>" in text and "<td>Submit</td>" in text
    assert "1&nbsp;/&nbsp;3" in text and "1&nbsp;/&nbsp;1" in text
    assert f'datetime="{newest.created_at.isoformat()}"' in text


def test_another_learner_sees_an_empty_history(
    learner: User, other_learner: User, flask_exercise: Exercise
) -> None:
    mine = graded(learner, flask_exercise)

    text = logged_in(other_learner).get(HISTORY).text

    assert str(mine.id) not in text
    assert "You have not run or submitted this exercise yet." in text


def test_the_owner_sees_the_code_and_every_test(learner: User, flask_exercise: Exercise) -> None:
    submission = graded(learner, flask_exercise)

    response = logged_in(learner).get(detail_url(submission))

    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "MY_CODE_MARKER" in text
    assert '<div class="highlight">' in response.text  # highlighted
    assert "1 of 3 tests passed." in text
    for name in ("test_hello_returns_200", "test_hello_returns_json_message"):
        assert name in text
    # Status in words next to the icon, the failure message and the printed output.
    assert 'test-result__status">Passed<' in response.text
    assert 'test-result__status">Failed<' in response.text
    assert "AssertionError: assert 404 == 200" in text
    assert "DEBUG_PRINTED_MARKER" in text
    assert "The response must be JSON." in text
    assert "hidden</span>" in response.text


def test_a_test_the_exercise_skips_shows_as_skipped_as_on_the_exercise_page(
    learner: User, flask_exercise: Exercise
) -> None:
    skipped = test_entry("test_hello_returns_200", "skip", message="skipped by the exercise")
    submission = graded(learner, flask_exercise, verdict="passed", tests=[skipped])

    response = logged_in(learner).get(detail_url(submission))

    # The words and sign of grader/vocabulary.py, which the exercise page uses too.
    assert 'test-result__status">Skipped<' in response.text
    assert TEST_STATUS_ICONS[TestStatus.SKIP] in response.text


@pytest.mark.parametrize("who", ["other_learner", "instructor"])
def test_nobody_else_can_open_a_submission(
    request: pytest.FixtureRequest, who: str, learner: User, flask_exercise: Exercise
) -> None:
    submission = graded(learner, flask_exercise)
    client = logged_in(request.getfixturevalue(who))

    response = client.get(detail_url(submission))

    assert response.status_code == 404
    assert "MY_CODE_MARKER" not in response.text


def test_a_submission_is_only_found_under_its_own_exercise(
    learner: User, flask_exercise: Exercise
) -> None:
    submission = graded(learner, flask_exercise)
    client = logged_in(learner)
    other = Exercise.objects.exclude(pk=flask_exercise.pk).first()
    assert other is not None

    assert client.get(f"/exercises/{other.slug}/history/{submission.id}/").status_code == 404
    assert client.get("/exercises/nope/history/").status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"{HISTORY}{unknown}/").status_code == 404


def test_a_syntax_error_points_at_the_line(learner: User, flask_exercise: Exercise) -> None:
    submission = graded(
        learner,
        flask_exercise,
        verdict="syntax_error",
        message="Your code does not compile, so no test could run.",
        location={"file": "app.py", "line": 3},
        gradable=False,
    )

    text = logged_in(learner).get(detail_url(submission)).text

    assert "Syntax error" in text
    assert "<code>app.py</code>, line 3" in text


def test_learner_code_is_shown_as_text_never_as_markup(
    learner: User, flask_exercise: Exercise
) -> None:
    hostile = "```\n</code></pre><script>alert('x')</script>\n~~~\n<b>bold</b>\n"
    submission = graded(learner, flask_exercise, files={"app.py": hostile})

    text = logged_in(learner).get(detail_url(submission)).text

    assert "<script>alert" not in text
    assert "<b>bold</b>" not in text
    # Escaped, and all there once the highlighting spans are taken out.
    shown = html.unescape(re.sub(r"<[^>]+>", "", text))
    assert hostile.strip() in shown


def test_a_submission_still_being_graded(learner: User, flask_exercise: Exercise) -> None:
    submission = Submission.objects.create(
        exercise=flask_exercise, user=learner, files={"app.py": CODE}
    )

    client = logged_in(learner)
    assert "Queued" in client.get(HISTORY).text
    text = client.get(detail_url(submission)).text
    assert "still being graded" in text
    assert "MY_CODE_MARKER" in text
