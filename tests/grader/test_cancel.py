"""Cancelling a submission: a queued one the grader never claims, a running one
whose container the grader kills."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from grader.models import Submission
from grader.services import (
    SubmissionInvalid,
    grade_submission,
    submission_cancel,
    submission_claim,
    submission_create,
    submission_grade_next,
)
from learning.models import ExerciseProgress
from lessons.models import Exercise
from sandboxes.runner import POOLED_LABEL
from tests.sandboxes.runs import sandbox_containers
from tests.support.answers import FLASK_APP
from tests.support.waiting import wait_until


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
def test_a_running_submission_is_marked_and_a_finished_one_refused(
    flask_exercise: Exercise, learner: User
) -> None:
    submission = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    submission_claim(submission_id=submission.id, worker="w")

    marked = submission_cancel(submission_id=submission.id, user=learner)

    # The worker grading it ends it; until then it is still running.
    assert marked.status == Submission.Status.RUNNING
    assert marked.cancel_requested_at is not None
    assert marked.result is None
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.COMPLETED)
    with pytest.raises(SubmissionInvalid) as finished:
        submission_cancel(submission_id=submission.id, user=learner)
    assert (finished.value.status, finished.value.code) == (409, "not_cancellable")


@pytest.mark.django_db
def test_a_marked_submission_whose_worker_died_is_cancelled_not_graded(
    flask_exercise: Exercise, learner: User
) -> None:
    # Cancelled while running, then put back in the queue by the sweep.
    submission = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    Submission.objects.filter(pk=submission.pk).update(cancel_requested_at=timezone.now())

    assert grade_submission(submission.id, worker="w") is True

    submission.refresh_from_db()
    assert submission.status == Submission.Status.CANCELLED
    assert submission.result is not None
    assert submission.result["verdict"] == "cancelled"
    assert not ExerciseProgress.objects.filter(user=learner).exists()


INFINITE_LOOP = {"app.py": "while True:\n    pass\n"}


@pytest.mark.docker
@pytest.mark.django_db(transaction=True)
def test_cancelling_a_running_infinite_loop_kills_its_container(
    flask_exercise: Exercise, learner: User
) -> None:
    submission = submission_create(exercise=flask_exercise, files=INFINITE_LOOP, user=learner)
    before = graders_containers()

    def grade() -> bool:
        try:
            return grade_submission(submission.id, worker="w")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        grading = pool.submit(grade)
        # Claimed and its tests announced: the loop is about to spin, or spins.
        wait_until(lambda: submission.events.filter(type="started").exists(), timeout=60)
        marked = submission_cancel(submission_id=submission.id, user=learner)
        assert marked.status == Submission.Status.RUNNING
        assert grading.result(timeout=120) is True

    submission.refresh_from_db()
    # Cancelled, not timed out: the run was stopped by the cancel, not the time limit.
    assert submission.status == Submission.Status.CANCELLED
    assert submission.result is not None
    assert submission.result["verdict"] == "cancelled"
    assert submission.result["gradable"] is False
    assert "while it was being graded" in submission.result["message"]
    last = submission.events.order_by("-seq").first()
    assert last is not None and last.type == "completed"
    assert not ExerciseProgress.objects.filter(user=learner).exists()
    # The run's container is gone with it (spares a pool started meanwhile aside).
    assert not graders_containers() - before


def graders_containers() -> set[str]:
    """The grader's containers that are not waiting in a pool."""
    return {each for each, labels in sandbox_containers().items() if POOLED_LABEL not in labels}


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
    # Nor stop it once it runs: a rival cannot make someone's grading end in nothing.
    submission_claim(submission_id=submission.id, worker="w")
    with pytest.raises(SubmissionInvalid):
        submission_cancel(submission_id=submission.id, user=other_learner)
    submission.refresh_from_db()
    assert submission.cancel_requested_at is None


@pytest.mark.django_db(transaction=True)
def test_a_cancel_racing_a_claim_has_exactly_one_winner(
    flask_exercise: Exercise, learner: User
) -> None:
    for _ in range(10):
        submission = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)

        def cancel(submission: Submission = submission) -> str:
            try:
                left = submission_cancel(submission_id=submission.id, user=learner)
                return "cancelled" if left.status == Submission.Status.CANCELLED else "marked"
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
        # Cancelled before the claim, or claimed and marked for its worker to stop.
        assert outcomes in ({"cancelled", "lost"}, {"marked", "claimed"})
        submission.refresh_from_db()
        if "cancelled" in outcomes:
            assert submission.status == Submission.Status.CANCELLED
        else:
            assert submission.status == Submission.Status.RUNNING
            assert submission.cancel_requested_at is not None
