"""The event log of a submission: append in the database, then publish to the
submission's channel-layer group once the transaction has committed.

The database is the record: a client that connects late or reconnects is sent
the stored events it missed, so a lost live message is never a lost event.
"""

import logging
import uuid
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grader.models import Submission, SubmissionEvent

logger = logging.getLogger(__name__)


def submission_group(submission_id: uuid.UUID | str) -> str:
    return f"submission.{uuid.UUID(str(submission_id)).hex}"


def event_append(
    *,
    submission_id: uuid.UUID,
    type: str,  # noqa: A002 - the event's type, as in the stored model
    data: dict[str, Any],
    lease_seconds: float | None = None,
) -> SubmissionEvent:
    """Store the next event of a submission and publish it after commit.

    `lease_seconds` renews the grading lease at the same time, so a worker
    that keeps reporting keeps its claim.
    """
    with transaction.atomic():
        changes: dict[str, Any] = {"next_event_seq": F("next_event_seq") + 1}
        if lease_seconds is not None:
            changes["lease_expires_at"] = timezone.now() + timedelta(seconds=lease_seconds)
        # The UPDATE locks the row until commit, so concurrent appends get distinct numbers.
        Submission.objects.filter(pk=submission_id).update(**changes)
        seq = (
            Submission.objects.filter(pk=submission_id)
            .values_list("next_event_seq", flat=True)
            .get()
            - 1
        )
        event = SubmissionEvent.objects.create(
            submission_id=submission_id, seq=seq, type=type, data=data
        )
        message = event.as_message()
        transaction.on_commit(lambda: event_publish(submission_id=submission_id, event=message))
    return event


def events_after(*, submission_id: uuid.UUID, after: int) -> list[dict[str, Any]]:
    events = SubmissionEvent.objects.filter(submission_id=submission_id, seq__gt=after)
    return [event.as_message() for event in events.order_by("seq")]


def _groups_send(messages: list[tuple[uuid.UUID | str, dict[str, Any]]]) -> None:
    """Send to the groups of several submissions in one trip to the event loop."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send_all() -> None:
        for submission_id, message in messages:
            await layer.group_send(submission_group(submission_id), message)

    try:
        async_to_sync(send_all)()
    except Exception:
        # Live delivery is best effort: events are stored and replayed on reconnect.
        logger.exception("could not publish to %d submission groups", len(messages))


def event_publish(*, submission_id: uuid.UUID | str, event: dict[str, Any]) -> None:
    _groups_send([(submission_id, {"type": "submission.event", "event": event})])


def grader_status_publish(*, submission_ids: list[uuid.UUID], status: dict[str, Any]) -> None:
    """Tell waiting submissions whether the grader can reach its sandboxes (live only)."""
    _groups_send([(i, {"type": "grader.status", "status": status}) for i in submission_ids])


def positions_publish(*, positions: list[tuple[uuid.UUID, int]]) -> None:
    """Queue positions change all the time; they are sent live and not stored."""
    _groups_send([(i, {"type": "submission.position", "position": p}) for i, p in positions])
