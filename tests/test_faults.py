"""Faults: a server killed mid-grading, the Docker engine going away and coming
back, a container the engine will not remove, a missing image. The grader
loses nothing, grades nothing twice, and says what is going on."""

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest
from django.contrib.auth.models import User

from grader.models import Submission
from grader.services import grade_submission, submission_create
from lessons.models import Exercise
from sandboxes.engine import docker_client_forget
from sandboxes.runner import LABEL, SandboxUnavailable, sandboxes_prune, sandboxes_removals_wait
from tests.conftest import exercise_files
from tests.docker_proxy import DockerProxy
from tests.live_server import daphne_server, live_database_url
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def status_of(submission_id: str) -> str:
    return Submission.objects.get(pk=submission_id).status


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[DockerProxy]:
    proxy = DockerProxy(tmp_path / "docker.sock")
    proxy.engine_up()
    yield proxy
    proxy.engine_down()


def slow_solution(seconds: int) -> dict[str, str]:
    solution = exercise_files("solution")["app.py"]
    return {"app.py": f"import time\ntime.sleep({seconds})\n" + solution}


def test_a_server_killed_mid_grading_grades_again_once_after_restart(
    flask_exercise: Exercise, learner: User, tmp_path: Path
) -> None:
    with daphne_server(database_url=live_database_url(), log_dir=tmp_path / "first") as site:
        site.log_in_as(learner)
        site.get(f"/courses/{flask_exercise.course.slug}/hello-flask/")
        _, created = site.post_json(
            f"/exercises/{flask_exercise.slug}/submissions/", {"files": slow_solution(2)}
        )
        submission_id = created["id"]
        wait_until(lambda: status_of(submission_id) == Submission.Status.RUNNING)
        assert site.process is not None
        site.process.kill()  # SIGKILL: no chance to clean up
        site.process.wait()
    assert status_of(submission_id) == Submission.Status.RUNNING

    with daphne_server(database_url=live_database_url(), log_dir=tmp_path / "second") as site:
        site.log_in_as(learner)
        # The learner's page reconnects and gets the result of the second grading.
        messages = site.listen(submission_id, until=lambda m: m.get("type") == "completed")

    submission = Submission.objects.get(pk=submission_id)
    assert submission.status == Submission.Status.COMPLETED
    assert submission.result_status == "pass"
    assert submission.grading_attempts == 2
    assert submission.events.filter(type="completed").count() == 1
    assert submission.events.filter(type="queued", data__retry=True).count() == 1
    assert messages[-1]["data"]["result"]["status"] == "pass"


def test_while_the_engine_is_down_submissions_wait_and_say_why(
    flask_exercise: Exercise, learner: User, tmp_path: Path, proxy: DockerProxy
) -> None:
    with daphne_server(
        database_url=live_database_url(), log_dir=tmp_path, DOCKER_HOST=proxy.url
    ) as site:
        site.log_in_as(learner)
        site.get(f"/courses/{flask_exercise.course.slug}/hello-flask/")
        assert site.get_json("/healthz")[0] == 200

        proxy.engine_down()
        status, health = site.get_json("/healthz")
        assert status == 503
        assert health["checks"]["sandbox"]["ok"] is False

        _, created = site.post_json(
            f"/exercises/{flask_exercise.slug}/submissions/",
            {"files": exercise_files("solution")},
        )
        submission_id = created["id"]
        # The page hears why its submission waits...
        messages = site.listen(submission_id, until=lambda m: m.get("type") == "grader")
        assert messages[-1]["data"]["available"] is False
        assert "will be graded as soon as the grader is back" in messages[-1]["data"]["message"]
        # ...and so does a poll, while the submission stays safely queued.
        _, document = site.get_json(f"/submissions/{submission_id}/")
        assert document["status"] == "queued"
        assert document["grader"]["available"] is False
        assert site.get_json("/healthz")[1]["checks"]["grader"]["ok"] is False

        proxy.engine_up()
        messages = site.listen(submission_id, until=lambda m: m.get("type") == "completed")
        assert messages[-1]["data"]["result"]["status"] == "pass"
        wait_until(lambda: site.get_json("/healthz")[0] == 200, timeout=30)

    submission = Submission.objects.get(pk=submission_id)
    assert submission.grading_attempts == 1


@pytest.fixture
def engine_through(proxy: DockerProxy, monkeypatch: pytest.MonkeyPatch) -> Iterator[DockerProxy]:
    """This process's Docker client goes through the proxy."""
    monkeypatch.setenv("DOCKER_HOST", proxy.url)
    docker_client_forget()
    yield proxy
    docker_client_forget()


def test_a_container_the_engine_will_not_remove_still_gives_a_result(
    flask_exercise: Exercise,
    learner: User,
    engine_through: DockerProxy,
    caplog: pytest.LogCaptureFixture,
    settings: Any,
) -> None:
    engine_through.refuse_removal = True
    # A fresh container, made through the proxy (the pool's were made before it).
    settings.SANDBOX_POOL_SIZE = 0
    submission = submission_create(
        exercise=flask_exercise, files=exercise_files("solution"), user=learner
    )
    with caplog.at_level(logging.ERROR, logger="sandboxes.runner"):
        assert grade_submission(submission.id)
        # The container of a finished run is removed by another thread.
        sandboxes_removals_wait()

    submission.refresh_from_db()
    assert submission.status == Submission.Status.COMPLETED
    assert submission.result_status == "pass"
    assert engine_through.removals_refused >= 1
    assert "could not remove sandbox container" in caplog.text

    # The leftover is cleared once the engine lets it go.
    engine_through.refuse_removal = False
    leftovers = docker.from_env().containers.list(all=True, filters={"label": LABEL})
    assert leftovers
    assert set(sandboxes_prune(older_than=0)) >= {str(c.id) for c in leftovers}


def test_a_missing_image_leaves_the_submission_queued(
    flask_exercise: Exercise, learner: User, settings: pytest.FixtureRequest
) -> None:
    settings.SANDBOX_IMAGE = "lectern-sandbox:missing"  # type: ignore[attr-defined]
    submission = submission_create(
        exercise=flask_exercise, files=exercise_files("solution"), user=learner
    )
    with pytest.raises(SandboxUnavailable, match="sandbox image lectern-sandbox:missing"):
        grade_submission(submission.id)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED
    assert submission.grading_attempts == 0
