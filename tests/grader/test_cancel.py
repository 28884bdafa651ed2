"""Cancelling a queued submission: a status the grader never claims."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.db import connection

from grader.models import Submission
from grader.services import (
    SubmissionInvalid,
    grade_submission,
    submission_cancel,
    submission_claim,
    submission_create,
    submission_grade_next,
)
from lessons.models import Exercise
from tests.support.answers import FLASK_APP


@pytest.mark.django_db
def test_a_queued_submission_is_cancelled_with_a_result_and_a_final_event(
    flask_exercise: Exercise, learner: User
) -> None:
    submission = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)

    cancelled = submission_cancel(submission_id=submission.id, user=learner)

    assert cancelled.status == Submission.Status.CANCELLED
    assert cancelled.result is not None
    assert cancelled.result["verdict"] == "cancelled"
    assert cancelled.result["gradable"] is False
    assert cancelled.finished_at is not None
    last = cancelled.events.order_by("-seq").first()
    assert last is not None
    assert last.type == "completed"
    assert last.data["result"]["verdict"] == "cancelled"


@pytest.mark.django_db
def test_a_cancelled_submission_is_never_claimed_or_graded(
    flask_exercise: Exercise, learner: User
) -> None:
    submission = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    submission_cancel(submission_id=submission.id, user=learner)

    assert submission_claim(submission_id=submission.id, worker="w") is False
    assert grade_submission(submission.id, worker="w") is False
    assert submission_grade_next(worker="w") is False
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CANCELLED
    assert submission.grading_attempts == 0


@pytest.mark.django_db
def test_only_a_queued_submission_can_be_cancelled(flask_exercise: Exercise, learner: User) -> None:
    submission = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    submission_claim(submission_id=submission.id, worker="w")

    with pytest.raises(SubmissionInvalid) as running:
        submission_cancel(submission_id=submission.id, user=learner)
    assert (running.value.status, running.value.code) == (409, "not_cancellable")


@pytest.mark.django_db
def test_nobody_else_can_cancel_it(
    flask_exercise: Exercise, learner: User, other_learner: User
) -> None:
    submission = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)

    with pytest.raises(SubmissionInvalid) as refused:
        submission_cancel(submission_id=submission.id, user=other_learner)
    assert refused.value.status == 404
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_cancel_racing_a_claim_has_exactly_one_winner(
    flask_exercise: Exercise, learner: User
) -> None:
    for _ in range(10):
        submission = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)

        def cancel(submission: Submission = submission) -> str:
            try:
                submission_cancel(submission_id=submission.id, user=learner)
                return "cancelled"
            except SubmissionInvalid:
                return "refused"
            finally:
                connection.close()

        def claim(submission: Submission = submission) -> str:
            try:
                return (
                    "claimed"
                    if submission_claim(submission_id=submission.id, worker="w")
                    else "lost"
                )
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            racing = [pool.submit(cancel), pool.submit(claim)]
            outcomes = {future.result() for future in racing}
        assert outcomes in ({"cancelled", "lost"}, {"refused", "claimed"})
        submission.refresh_from_db()
        expected = (
            Submission.Status.CANCELLED if "cancelled" in outcomes else Submission.Status.RUNNING
        )
        assert submission.status == expected
