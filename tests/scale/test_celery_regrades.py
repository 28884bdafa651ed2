"""A regrade on Celery workers (separate processes, PostgreSQL and Redis): its
tasks go to the regrade queue, which a worker reads only when the live queue
is empty, so a learner who submits during a regrade of 50 is graded next."""

import uuid
from pathlib import Path

import pytest

from grader.models import Regrade, Submission
from grader.regrades import regrade_progress, regrade_start
from grader.services import submission_create
from tests.scale.processes import workers_running
from tests.support.classes import ClassWorld
from tests.support.regrades import RIGHT, class_of, exercise_tests_changed, submitted_and_graded
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

LEARNERS = 50


def regrades_started_while_waiting(live: Submission, regrade: Regrade) -> int:
    """How many of the regrade's submissions a worker started after `live` was
    sent and before it was started: the regrade jobs it waited behind."""
    assert live.started_at is not None
    return regrade.submissions.filter(
        started_at__gt=live.created_at, started_at__lt=live.started_at
    ).count()


def test_live_submissions_are_graded_ahead_of_a_regrade_of_fifty(
    class_world: ClassWorld, content_root: Path, tmp_path: Path, broker_empty: None
) -> None:
    learners = class_of(class_world, LEARNERS)
    submitted_and_graded(class_world, learners, content_root)
    exercise_tests_changed(content_root)
    with workers_running(1, tmp_path):
        regrade = regrade_start(
            classroom=class_world.classroom,
            exercise=class_world.exercise,
            which=Regrade.Which.LATEST,
            requested_by=class_world.class_instructor,
        )
        wait_until(lambda: regrade_progress(regrade=regrade).graded >= 3, timeout=120)
        live_ids: list[uuid.UUID] = []
        for learner in learners[:3]:
            live_ids.append(
                submission_create(exercise=class_world.exercise, files=RIGHT, user=learner).id
            )
            wait_until(
                lambda: Submission.objects.filter(
                    pk=live_ids[-1], status=Submission.Status.COMPLETED
                ).exists(),
                timeout=120,
            )
        waiting_behind = [
            regrades_started_while_waiting(Submission.objects.get(pk=pk), regrade)
            for pk in live_ids
        ]
        still_queued = regrade_progress(regrade=regrade).waiting
        wait_until(lambda: regrade_progress(regrade=regrade).finished, timeout=240)

    # One worker process: at most the regrade job it was fetching as the live
    # task arrived and one its pool had reserved, where first come first
    # served would be dozens.
    assert max(waiting_behind) <= 2, waiting_behind
    assert still_queued > 0, "the regrade ended before the live submissions could overtake it"
    progress = regrade_progress(regrade=regrade)
    assert (progress.graded, progress.total) == (LEARNERS, LEARNERS)
    assert all(Submission.objects.get(pk=pk).result_status == "pass" for pk in live_ids)
