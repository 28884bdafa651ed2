"""Celery workers as separate processes on PostgreSQL and Redis: many workers
grade each submission exactly once, and a worker killed mid-grading loses
nothing (the grading is delivered again and completed once)."""

import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from grader.models import Submission, SubmissionEvent
from grader.services import submission_create
from lessons.models import Exercise
from tests.conftest import exercise_files
from tests.scale.processes import Worker, workers_running
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def all_completed(ids: list[uuid.UUID]) -> bool:
    """every submission is completed"""
    done = Submission.objects.filter(pk__in=ids, status=Submission.Status.COMPLETED)
    return done.count() == len(ids)


def grader_pid(submission: Submission) -> int:
    """The pid of the process that graded (or is grading) it: worker is host:pid:token."""
    return int(submission.worker.split(":")[1])


def assert_graded_once(submission: Submission, *, attempts: int = 1) -> None:
    assert submission.status == Submission.Status.COMPLETED
    assert submission.grading_attempts == attempts
    assert submission.events.filter(type="completed").count() == 1
    seqs = list(submission.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_two_workers_grade_forty_submissions_each_exactly_once(
    flask_exercise: Exercise, learner: User, tmp_path: Path, broker_empty: None
) -> None:
    solution, starter = exercise_files("solution"), exercise_files("starter")
    with workers_running(2, tmp_path) as workers:
        pool_pids = {worker.name: worker.pool_pids() for worker in workers}
        ids = [
            submission_create(
                exercise=flask_exercise, files=solution if n % 2 else starter, user=learner
            ).id
            for n in range(40)
        ]
        wait_until(lambda: all_completed(ids), timeout=240)

    submissions = list(Submission.objects.filter(pk__in=ids))
    for submission in submissions:
        assert_graded_once(submission)
    statuses = sorted(submission.result_status for submission in submissions)
    assert statuses == ["fail"] * 20 + ["pass"] * 20
    graders = {grader_pid(submission) for submission in submissions}
    took_part = [name for name, pids in pool_pids.items() if pids & graders]
    assert took_part == ["w1", "w2"], (pool_pids, graders)


def slow_solution(seconds: int) -> dict[str, str]:
    solution = exercise_files("solution")["app.py"]
    return {"app.py": f"import time\ntime.sleep({seconds})\n" + solution}


def grading_under_way(submission_id: uuid.UUID) -> None:
    """Wait until the grading has stored its `started` event: from then on it is
    mid-grading for as long as the slow solution's imports take, however soon a
    test acts, and its events are being stored."""

    def started() -> bool:
        """the grading stored its started event"""
        return SubmissionEvent.objects.filter(submission_id=submission_id, type="started").exists()

    wait_until(started)


def owner_of(submission_id: uuid.UUID, workers: list[Worker]) -> Worker:
    """Wait until a worker has claimed the submission; the worker whose pool grades it."""
    wait_until(lambda: Submission.objects.get(pk=submission_id).status == Submission.Status.RUNNING)
    pid = grader_pid(Submission.objects.get(pk=submission_id))
    return next(worker for worker in workers if pid in worker.pool_pids())


def test_a_worker_killed_mid_grading_is_replaced_by_another_and_grades_once(
    flask_exercise: Exercise, learner: User, tmp_path: Path, broker_empty: None
) -> None:
    with workers_running(2, tmp_path) as workers:
        submission = submission_create(
            exercise=flask_exercise, files=slow_solution(4), user=learner
        )
        victim = owner_of(submission.id, workers)
        grading_under_way(submission.id)
        victim.kill()  # the worker and its pool, SIGKILL: no acknowledgement, no clean-up

        # The other worker's sweep sees a grading of a dead process, queues it
        # again and dispatches it; the other worker grades it.
        wait_until(lambda: all_completed([submission.id]))
        survivor = next(worker for worker in workers if worker is not victim)
        submission.refresh_from_db()
        assert grader_pid(submission) in survivor.pool_pids()

    assert_graded_once(submission, attempts=2)
    assert submission.result_status == "pass"
    assert submission.events.filter(type="queued", data__retry=True).count() == 1
    assert submission.events.filter(type="started").count() == 2


def test_a_pool_process_killed_mid_grading_has_its_task_redelivered(
    flask_exercise: Exercise, learner: User, tmp_path: Path, broker_empty: None
) -> None:
    # The sweep runs once at start and then not for a minute: what saves the
    # submission is the broker delivering the task again (acks_late and
    # reject_on_worker_lost), and the task recovering the grading of a dead process.
    with workers_running(1, tmp_path, GRADER_SWEEP_SECONDS="60") as workers:
        submission = submission_create(
            exercise=flask_exercise, files=slow_solution(4), user=learner
        )
        owner_of(submission.id, workers)
        grading_under_way(submission.id)
        pool_process = grader_pid(Submission.objects.get(pk=submission.id))
        Worker.kill_pid(pool_process)

        wait_until(lambda: all_completed([submission.id]), timeout=60)
        assert "WorkerLostError" in workers[0].log.read_text()

    submission.refresh_from_db()
    assert_graded_once(submission, attempts=2)
    assert submission.result_status == "pass"
    assert grader_pid(submission) != pool_process
