"""What /healthz reports: can this process reach its database and its sandboxes,
and could the grader run submissions at its last try."""

from typing import Any

from django.db import DatabaseError, connection

from grader.selectors import grader_status_get
from sandboxes.runner import SandboxUnavailable, engine_check


def health_report() -> dict[str, Any]:
    checks: dict[str, dict[str, Any]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except DatabaseError as error:
        checks["database"] = {"ok": False, "message": str(error)}
    try:
        engine_check()
        checks["sandbox"] = {"ok": True}
    except SandboxUnavailable as error:
        checks["sandbox"] = {"ok": False, "message": str(error)}
    if checks["database"]["ok"]:
        status = grader_status_get()
        checks["grader"] = {"ok": status["available"], "message": status["message"]}
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "unavailable", "checks": checks}
