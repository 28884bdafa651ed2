"""Events stored as the grader would store them, for the streaming tests."""

from typing import Any

from channels.db import database_sync_to_async

from grader.models import Submission
from grader.submission_events import event_append


async def append(submission: Submission, type_: str, data: dict[str, Any]) -> None:
    await database_sync_to_async(event_append)(submission_id=submission.id, type=type_, data=data)


def passed(name: str) -> dict[str, Any]:
    """A `test` event's data for a visible test that passed."""
    return {
        "name": name,
        "status": "pass",
        "message": "",
        "output": "",
        "points": 1.0,
        "max_points": 1.0,
        "visibility": "visible",
        "duration_ms": 3,
    }
