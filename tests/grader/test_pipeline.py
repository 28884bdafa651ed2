"""grade_submission and the inline pool, with the real sandbox."""

import asyncio
import socket
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.utils import timezone

from grader.inline import InlineGraderPool
from grader.models import Submission
from grader.services import grade_submission, submission_create
from learning.models import ExerciseProgress
from lessons.models import Exercise
from tests.conftest import exercise_files

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def test_grading_stores_events_and_the_result(flask_exercise: Exercise, learner: User) -> None:
    submission = submission_create(
        exercise=flask_exercise, files=exercise_files("solution"), user=learner
    )

    assert grade_submission(submission.id) is True
    assert grade_submission(submission.id) is False  # already graded: never twice

    submission.refresh_from_db()
    assert submission.status == Submission.Status.COMPLETED
    assert submission.result_status == "pass"
    assert submission.score == submission.max_score == flask_exercise.max_score
    events = list(submission.events.all())
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    assert [event.type for event in events] == (
        ["queued", "started"] + ["test"] * len(flask_exercise.tests) + ["completed"]
    )
    assert [event.data["name"] for event in events if event.type == "test"] == [
        test["name"] for test in flask_exercise.tests
    ]
    result = events[-1].data["result"]
    assert result == submission.result
    timings = result["timings"]
    assert timings["queued"] <= timings["started"] <= timings["finished"]


def test_the_starter_is_graded_as_a_failure(flask_exercise: Exercise, learner: User) -> None:
    submission = submission_create(
        exercise=flask_exercise, files=exercise_files("starter"), user=learner
    )
    grade_submission(submission.id)

    submission.refresh_from_db()
    assert submission.result_status == "fail"
    assert submission.gradable is True
    assert 0 <= submission.score < submission.max_score  # type: ignore[operator]


def all_completed() -> bool:
    return not Submission.objects.exclude(status=Submission.Status.COMPLETED).exists()


async def test_the_pool_grades_what_a_previous_process_left_behind_once(
    flask_exercise: Exercise, learner: User
) -> None:
    create = sync_to_async(submission_create)
    queued = await create(exercise=flask_exercise, files=exercise_files("solution"), user=learner)
    abandoned = await create(exercise=flask_exercise, files=exercise_files("starter"), user=learner)
    # Claimed by a process of this host that has since died, in the middle of grading.
    await sync_to_async(Submission.objects.filter(pk=abandoned.pk).update)(
        status=Submission.Status.RUNNING,
        worker=f"{socket.gethostname()}:999999:deadbeef",
        grading_attempts=1,
        started_at=timezone.now(),
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )

    pool = InlineGraderPool(workers=2, poll_seconds=0.2)
    pool.start(asyncio.get_running_loop())
    try:
        for _ in range(600):
            if await sync_to_async(all_completed)():
                break
            await asyncio.sleep(0.1)
    finally:
        await pool.stop()

    queued_done = await sync_to_async(Submission.objects.get)(pk=queued.pk)
    abandoned_done = await sync_to_async(Submission.objects.get)(pk=abandoned.pk)
    assert queued_done.status == abandoned_done.status == Submission.Status.COMPLETED
    assert queued_done.result_status == "pass"
    assert abandoned_done.result_status == "fail"
    # Graded once each: the abandoned one on its second and last attempt.
    assert queued_done.grading_attempts == 1
    assert abandoned_done.grading_attempts == 2
    completed_events = await sync_to_async(
        Submission.objects.filter(events__type="completed").count
    )()
    assert completed_events == 2


def test_run_mode_runs_the_visible_tests_only_and_is_not_an_attempt(
    flask_exercise: Exercise, learner: User
) -> None:
    submission = submission_create(
        exercise=flask_exercise,
        files=exercise_files("solution"),
        user=learner,
        mode=Submission.Mode.RUN,
    )
    grade_submission(submission.id)

    submission.refresh_from_db()
    assert submission.result is not None
    visible = [t["name"] for t in flask_exercise.tests if t["visibility"] == "visible"]
    assert [test["name"] for test in submission.result["tests"]] == visible
    assert submission.result["status"] == "pass"
    started = submission.events.get(type="started").data
    assert started["mode"] == "run"
    assert [test["name"] for test in started["tests"]] == visible
    assert not ExerciseProgress.objects.filter(user=learner).exists()


def test_each_submit_counts_as_an_attempt_and_keeps_the_best_score(
    flask_exercise: Exercise, learner: User
) -> None:
    for folder in ("starter", "solution", "starter"):
        submission = submission_create(
            exercise=flask_exercise, files=exercise_files(folder), user=learner
        )
        grade_submission(submission.id)

    progress = ExerciseProgress.objects.get(user=learner, exercise=flask_exercise)
    assert (progress.attempts, progress.failed_attempts) == (3, 2)
    assert progress.best_score == progress.max_score == flask_exercise.max_score
    assert progress.completed is True


def test_a_syntax_error_is_not_counted_as_an_attempt(
    flask_exercise: Exercise, learner: User
) -> None:
    submission = submission_create(
        exercise=flask_exercise, files={"app.py": "def broken(:\n"}, user=learner
    )
    grade_submission(submission.id)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.COMPLETED
    result = submission.result
    assert result is not None
    # The learner's syntax error, not a grader_error (which also is not an attempt):
    # it names the file and line, and quotes the line.
    assert result["verdict"] == "syntax_error"
    assert result["status"] == "error"
    assert result["gradable"] is False
    assert (result["location"]["file"], result["location"]["line"]) == ("app.py", 1)
    assert result["message"].startswith("Your code does not compile")
    assert "def broken(:" in result["message"]
    assert result["score"] == 0
    assert submission.gradable is False
    assert not ExerciseProgress.objects.filter(user=learner, attempts__gt=0).exists()


def test_a_failed_comparison_is_said_as_expected_and_got_for_visible_tests_only(
    flask_exercise: Exercise, learner: User
) -> None:
    text_answer = (
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        '@app.route("/hello")\n'
        "def hello():\n"
        '    return "Hello, World!"\n'
    )
    submission = submission_create(
        exercise=flask_exercise, files={"app.py": text_answer}, user=learner
    )
    grade_submission(submission.id)

    submission.refresh_from_db()
    assert submission.result is not None
    tests = {test["name"]: test for test in submission.result["tests"]}
    assert tests["test_hello_returns_json_message"]["comparison"] == {
        "got": "None",
        "expected": "{'message': 'Hello, World!'}",
    }
    assert tests["test_hello_returns_200"]["comparison"] is None  # it passed
    hidden = [test for test in tests.values() if test["visibility"] == "hidden"]
    assert any(test["status"] == "fail" for test in hidden)
    # A hidden test's expected value would be the answer.
    assert all(test["comparison"] is None for test in hidden)
