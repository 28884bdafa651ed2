"""What /healthz reports: can this process reach what grading needs.

- database: one query;
- channel_layer: a message sent to a fresh channel and received back (the
  in-memory layer, or Redis when scaled out: what carries events to WebSockets);
- broker (GRADER_BACKEND=celery): Redis answers, so submissions can be dispatched;
- sandbox (inline only): the Docker engine answers and the image exists. In
  Celery mode the web process does not grade and may have no Docker at all;
- grader: the grader's status as the graders last saw it (the inline pool, or
  the Celery workers); in Celery mode also whether the queue moves, since no
  worker at all would leave the status unchanged.
"""

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from config.celery import app as celery_app
from grader.models import Submission
from grader.selectors import grader_status_get
from sandboxes.runner import SandboxUnavailable, engine_check, sandbox_pool_if_started

ROUND_TRIP_SECONDS = 2.0


def health_report() -> dict[str, Any]:
    checks: dict[str, dict[str, Any]] = {"database": _database_check()}
    checks["channel_layer"] = _channel_layer_check()
    if settings.GRADER_BACKEND == "celery":
        checks["broker"] = _broker_check()
    else:
        checks["sandbox"] = _sandbox_check()
    if checks["database"]["ok"]:
        checks["grader"] = _grader_check()
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "unavailable", "checks": checks}


def _database_check() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return {"ok": False, "message": str(error)}
    return {"ok": True}


async def _channel_round_trip() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    channel = f"lectern.healthz.{uuid.uuid4().hex}"
    await layer.send(channel, {"type": "healthz.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=ROUND_TRIP_SECONDS)
    if message.get("type") != "healthz.ping":
        raise RuntimeError(f"the channel layer returned {message!r}")


def _channel_layer_check() -> dict[str, Any]:
    try:
        async_to_sync(_channel_round_trip)()
    except TimeoutError:
        return {"ok": False, "message": f"no message back within {ROUND_TRIP_SECONDS} s"}
    except Exception as error:
        return {"ok": False, "message": f"{type(error).__name__}: {error}"}
    return {"ok": True}


def _broker_check() -> dict[str, Any]:
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
            broker.ensure_connection(max_retries=1, timeout=ROUND_TRIP_SECONDS)
            broker.default_channel.client.ping()
    except Exception as error:
        return {"ok": False, "message": f"the broker does not answer: {error}"}
    return {"ok": True}


def _sandbox_check() -> dict[str, Any]:
    try:
        engine_check()
    except SandboxUnavailable as error:
        return {"ok": False, "message": str(error)}
    pool = sandbox_pool_if_started()
    if pool is None:
        return {"ok": True}
    stats = pool.stats()
    return {"ok": True, "pool": {name: stats[name] for name in ("size", "idle", "hits", "misses")}}


def _grader_check() -> dict[str, Any]:
    status = grader_status_get()
    check: dict[str, Any] = {"ok": status["available"], "message": status["message"]}
    if settings.GRADER_BACKEND == "celery" and check["ok"]:
        # A queue that waited twice the sweep's re-dispatch time while no grading
        # started has no worker taking from it (a long queue that moves is fine).
        now = timezone.now()
        stuck_after = timedelta(seconds=2 * settings.GRADER_REDISPATCH_SECONDS)
        oldest = (
            Submission.objects.filter(status=Submission.Status.QUEUED)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        moving = Submission.objects.filter(started_at__gte=now - stuck_after).exists()
        if oldest is not None and now - oldest > stuck_after and not moving:
            waited = int((now - oldest).total_seconds())
            check = {
                "ok": False,
                "message": f"a submission has waited {waited} s for a grader: "
                "are the Celery workers running?",
            }
    return check
