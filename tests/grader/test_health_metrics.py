"""/healthz and /metrics with the default set-up (SQLite, in-memory channel layer,
inline grader); tests/scale/ checks them against PostgreSQL, Redis and Celery."""

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from config.asgi import application
from grader.metrics import websockets_active
from grader.models import Submission
from grader.services import submission_create
from lessons.models import Exercise
from tests.grader.test_consumer import ORIGIN, session_cookie
from tests.support.answers import FLASK_APP
from tests.websockets import Communicator

pytestmark = pytest.mark.django_db(transaction=True)


def samples(client: Client, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """/metrics parsed: (sample name, sorted labels) -> value."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    values = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def completed(
    submission: Submission, *, verdict: str, status: str, waited: float, graded: float
) -> None:
    """Mark a submission graded `graded` seconds after it waited `waited` seconds."""
    created = submission.created_at
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.COMPLETED,
        result_status=status,
        result={"status": status, "verdict": verdict},
        started_at=created + timedelta(seconds=waited),
        finished_at=created + timedelta(seconds=waited + graded),
    )


def test_metrics_count_the_queue_gradings_and_latencies_from_the_database(
    flask_exercise: Exercise, learner: User
) -> None:
    made = [
        submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner) for _ in range(6)
    ]
    Submission.objects.filter(pk=made[0].pk).update(
        status=Submission.Status.RUNNING, started_at=timezone.now()
    )
    completed(made[1], verdict="passed", status="pass", waited=0.2, graded=0.7)
    completed(made[2], verdict="passed", status="pass", waited=1.0, graded=1.5)
    completed(made[3], verdict="timeout", status="error", waited=4.0, graded=11.0)

    values = samples(Client())

    assert values[("lectern_submissions", (("status", "queued"),))] == 2
    assert values[("lectern_submissions", (("status", "running"),))] == 1
    assert values[("lectern_gradings_total", (("status", "pass"), ("verdict", "passed")))] == 2
    assert values[("lectern_gradings_total", (("status", "error"), ("verdict", "timeout")))] == 1
    latency = "lectern_submission_latency_seconds"
    assert values[(f"{latency}_bucket", (("le", "1.0"),))] == 1  # 0.9 s
    assert values[(f"{latency}_bucket", (("le", "3.0"),))] == 2  # and 2.5 s
    assert values[(f"{latency}_bucket", (("le", "20.0"),))] == 3  # and 15 s
    assert values[(f"{latency}_bucket", (("le", "+Inf"),))] == 3
    assert values[(f"{latency}_count", ())] == 3
    assert values[(f"{latency}_sum", ())] == pytest.approx(0.9 + 2.5 + 15.0)
    grading = "lectern_grading_duration_seconds"
    assert values[(f"{grading}_bucket", (("le", "1.0"),))] == 1
    assert values[(f"{grading}_bucket", (("le", "2.0"),))] == 2
    assert values[(f"{grading}_sum", ())] == pytest.approx(0.7 + 1.5 + 11.0)
    assert ("process_resident_memory_bytes", ()) in values


def test_metrics_count_where_each_gradings_container_came_from(
    flask_exercise: Exercise, learner: User
) -> None:
    made = [
        submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner) for _ in range(3)
    ]
    for submission, sandbox, waited_ms in zip(
        made, ["pooled", "pooled", "fresh"], [4, 30, 1800], strict=True
    ):
        completed(submission, verdict="passed", status="pass", waited=0.1, graded=1.0)
        Submission.objects.filter(pk=submission.pk).update(
            result={
                "status": "pass",
                "verdict": "passed",
                "timings": {"sandbox": sandbox, "sandbox_wait_ms": waited_ms},
            }
        )

    values = samples(Client())

    assert values[("lectern_sandbox_claims_total", (("sandbox", "pooled"),))] == 2
    assert values[("lectern_sandbox_claims_total", (("sandbox", "fresh"),))] == 1
    wait = "lectern_sandbox_wait_seconds"
    assert values[(f"{wait}_bucket", (("le", "0.01"),))] == 1  # 4 ms
    assert values[(f"{wait}_bucket", (("le", "0.05"),))] == 2  # and 30 ms
    assert values[(f"{wait}_bucket", (("le", "2.5"),))] == 3  # and 1.8 s
    assert values[(f"{wait}_sum", ())] == pytest.approx(1.834)
    assert ("lectern_sandbox_pool_containers", (("state", "size"),)) in values


def test_metrics_need_the_token_when_one_is_set(settings: Any) -> None:
    settings.METRICS_TOKEN = "scrape-secret"
    client = Client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert samples(client, Authorization="Bearer scrape-secret")


async def test_open_websockets_are_counted_by_their_process(
    flask_exercise: Exercise, learner: User
) -> None:
    submission = await database_sync_to_async(submission_create)(
        exercise=flask_exercise, files=FLASK_APP, user=learner
    )
    before = websockets_active._value.get()
    communicator = Communicator(
        application,
        f"/ws/submissions/{submission.id}/",
        headers=[ORIGIN, (b"cookie", await database_sync_to_async(session_cookie)(learner))],
    )
    connected, _ = await communicator.connect()
    assert connected
    assert websockets_active._value.get() == before + 1
    await communicator.disconnect()
    assert websockets_active._value.get() == before

    refused = Communicator(application, f"/ws/submissions/{submission.id}/")
    await refused.connect()
    assert websockets_active._value.get() == before  # never accepted, never counted


@pytest.mark.docker
def test_healthz_checks_the_database_the_channel_layer_and_the_sandbox(settings: Any) -> None:
    settings.GRADER_BACKEND = "inline"  # this process grades: its sandbox is checked
    response = Client().get("/healthz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert set(checks) == {"database", "channel_layer", "sandbox", "grader"}
    assert all(check["ok"] for check in checks.values())


def test_healthz_in_celery_mode_reports_the_broker_and_a_queue_nobody_takes_from(
    settings: Any, flask_exercise: Exercise, learner: User
) -> None:
    waiting = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    settings.GRADER_BACKEND = "celery"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.GRADER_REDISPATCH_SECONDS = 10
    Submission.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(seconds=30)
    )

    response = Client().get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    # No sandbox check: in Celery mode the web process does not grade.
    assert set(checks) == {"database", "channel_layer", "broker", "grader"}
    assert checks["broker"]["ok"] is False
    assert checks["grader"]["ok"] is False
    assert "are the Celery workers running?" in checks["grader"]["message"]
