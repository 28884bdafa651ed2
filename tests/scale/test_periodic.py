"""The workers' sweep (grader/periodic.py) and /healthz, against PostgreSQL and
a real Redis broker: what a sweep sends lands in the grading queue, and two
sweeps at once do each thing once."""

import base64
import json
import socket
import threading
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from django.utils import timezone

from grader.models import Submission
from grader.periodic import sweep_run
from grader.services import submission_create
from lessons.models import Exercise
from tests.scale.processes import RedisServer
from tests.support.answers import FLASK_APP

pytestmark = pytest.mark.django_db(transaction=True)


def queued_tasks() -> list[str]:
    """The submission ids of the grading tasks waiting in the broker (kombu's
    envelope around Celery's message: base64 of [args, kwargs, embed])."""
    broker = redis.Redis.from_url(settings.REDIS_URL)
    ids = []
    for raw in broker.lrange(settings.GRADER_QUEUE, 0, -1):
        args, _kwargs, _embed = json.loads(base64.b64decode(json.loads(raw)["body"]))
        ids.append(str(args[0]))
    return ids


def sweeps_at_once(count: int) -> list[Any]:
    """`count` sweeps in threads at the same moment, as `count` workers would."""
    results: list[Any] = []
    start = threading.Barrier(count)

    def sweep() -> None:
        start.wait()
        try:
            results.append(sweep_run())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_an_abandoned_grading_is_queued_again_and_dispatched_once(
    flask_exercise: Exercise, learner: User, broker_empty: None
) -> None:
    abandoned = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    crashed = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    busy = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    now = timezone.now()
    Submission.objects.filter(pk=abandoned.pk).update(  # a worker on another host, silent
        status=Submission.Status.RUNNING,
        worker="elsewhere:1:cafe",
        grading_attempts=1,
        lease_expires_at=now - timedelta(seconds=1),
    )
    Submission.objects.filter(pk=crashed.pk).update(  # a dead process on this host
        status=Submission.Status.RUNNING,
        worker=f"{socket.gethostname()}:999999:dead",
        grading_attempts=1,
        lease_expires_at=now + timedelta(minutes=5),
    )
    Submission.objects.filter(pk=busy.pk).update(  # alive and well elsewhere
        status=Submission.Status.RUNNING,
        worker="elsewhere:2:beef",
        grading_attempts=1,
        lease_expires_at=now + timedelta(minutes=5),
    )
    redis.Redis.from_url(settings.REDIS_URL).delete(settings.GRADER_QUEUE)

    sweeps = sweeps_at_once(3)

    recovered = sorted(str(i) for sweep in sweeps for i in sweep.recovered)
    assert recovered == sorted([str(abandoned.pk), str(crashed.pk)])
    assert sorted(queued_tasks()) == recovered
    for submission in (abandoned, crashed):
        submission.refresh_from_db()
        assert submission.status == Submission.Status.QUEUED
        assert submission.dispatched_at is not None
        assert submission.events.filter(type="queued", data__retry=True).count() == 1
    busy.refresh_from_db()
    assert busy.status == Submission.Status.RUNNING


def test_a_submission_whose_task_was_lost_is_dispatched_again_once(
    flask_exercise: Exercise, learner: User, broker_empty: None, settings: Any
) -> None:
    settings.GRADER_REDISPATCH_SECONDS = 30
    fresh = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    lost = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    Submission.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    redis.Redis.from_url(settings.REDIS_URL).delete(settings.GRADER_QUEUE)  # Redis lost them

    sweeps = sweeps_at_once(3)

    assert [str(i) for sweep in sweeps for i in sweep.redispatched] == [str(lost.pk)]
    assert queued_tasks() == [str(lost.pk)]
    # Sent again now, so not again until GRADER_REDISPATCH_SECONDS have passed.
    assert sweep_run().redispatched == []
    fresh.refresh_from_db()
    assert fresh.dispatched_at is None


def test_healthz_in_celery_mode_checks_redis_as_broker_and_channel_layer(
    settings: Any, tmp_path: Any
) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert set(checks) == {"database", "channel_layer", "broker", "grader"}

    # Another Redis, stopped: both the broker and the channel layer fail, and say so.
    gone = RedisServer(tmp_path / "redis")
    settings.CELERY_BROKER_URL = gone.url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [gone.url]},
        }
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"]["ok"] is False
    assert checks["channel_layer"]["ok"] is False
    assert checks["database"]["ok"] is True
