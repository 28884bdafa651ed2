"""Submission endpoints: create (with ?wait and Idempotency-Key), read, list,
cancel, and the Server-Sent Events stream."""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from channels.db import database_sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from ninja import Field, Query, Router, Schema, Status

from api.auth import request_token
from api.errors import error_json
from api.links import links_for
from api.live import IDLE, submission_follow, submission_wait_final
from api.schemas import (
    ErrorOut,
    SubmissionAcceptedOut,
    SubmissionIn,
    SubmissionOut,
    SubmissionPageOut,
)
from api.selectors import (
    api_submission_accepted,
    api_submission_document,
    api_submission_get,
    api_submission_page,
)
from api.services import (
    IDEMPOTENCY_KEY_MAX,
    IDEMPOTENCY_KEY_PATTERN,
    api_submission_create,
    exercise_get_live,
)
from grader.models import Submission, SubmissionEvent
from grader.selectors import event_stream_start
from grader.services import submission_cancel

router = Router(tags=["submissions"])
NOT_FOUND = "No such submission, or it is not yours."
FINAL = (Submission.Status.COMPLETED, Submission.Status.CANCELLED)
WAIT_MAX = 30


class WaitQuery(Schema):
    wait: int = Field(0, ge=0, le=WAIT_MAX, description="Seconds to wait for the result.")


class ListQuery(Schema):
    exercise: str | None = Field(None, description="Only the submissions of this exercise.")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


def _document(request: HttpRequest, submission_id: object) -> dict[str, Any] | None:
    token = request_token(request)
    submission = api_submission_get(submission_id=submission_id, viewer=token.user)
    if submission is None:
        return None
    return api_submission_document(
        submission=submission, viewer=token.user, links=links_for(request)
    )


@router.post(
    "/submissions",
    response={
        200: SubmissionOut,
        202: SubmissionAcceptedOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Submit files for grading",
    description=(
        "Answers 202 with the submission's id and where to follow it. With `wait=N` the "
        "answer waits up to N seconds for the result: 200 with the whole submission when it "
        "is ready in time, else the same 202. An `Idempotency-Key` header makes a retry with "
        "the same key and body answer for the first submission instead of grading twice, "
        "as it is now: 200 with the whole submission once it is final, else 202."
    ),
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": IDEMPOTENCY_KEY_MAX,
                    "pattern": IDEMPOTENCY_KEY_PATTERN,
                },
                "description": "Any unique string (a UUID); a retry with the same key and "
                "body returns the first answer. Remembered for 24 hours.",
            }
        ]
    },
)
async def submission_create(
    request: HttpRequest, payload: SubmissionIn, query: Query[WaitQuery]
) -> HttpResponse:
    token = request_token(request)
    links = links_for(request)

    def create() -> Any:
        return api_submission_create(
            token=token,
            exercise_slug=payload.exercise,
            files=payload.files,
            mode=payload.mode,
            callback_url=payload.callback_url,
            on_behalf_of=payload.on_behalf_of,
            idempotency_key=request.headers.get("Idempotency-Key"),
            describe=lambda submission: api_submission_accepted(submission=submission, links=links),
        )

    def answer_now() -> JsonResponse:
        """The submission as it is now: 200 and the whole of it once final, else
        202 with its state (running, or its place in the queue)."""
        submission = accepted.submission
        submission.refresh_from_db(fields=["status"])
        if submission.status in FINAL:
            document = _document(request, submission.id)
            return JsonResponse(SubmissionOut.model_validate(document).model_dump(mode="json"))
        return JsonResponse(api_submission_accepted(submission=submission, links=links), status=202)

    accepted = await database_sync_to_async(create)()
    submission_id = accepted.submission.id
    if query.wait or accepted.replayed:
        # After a wait, or for a retry that may come long after the first
        # request: where it is now, not where it was when it was made.
        await submission_wait_final(submission_id=submission_id, seconds=query.wait)
        response = await database_sync_to_async(answer_now)()
    else:
        response = JsonResponse(accepted.body, status=accepted.status)
    response["Location"] = links.submission(submission_id)["self"]
    if accepted.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get(
    "/submissions",
    response={200: SubmissionPageOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="List my submissions, newest first",
)
def submission_list(request: HttpRequest, query: Query[ListQuery]) -> object:
    token = request_token(request)
    exercise, page, per_page = query.exercise, query.page, query.per_page
    found = exercise_get_live(slug=exercise) if exercise is not None else None
    links = links_for(request)
    result = api_submission_page(
        user=token.user, exercise=found, page=page, per_page=per_page, links=links
    )

    def page_url(number: int) -> str:
        query = f"?page={number}&per_page={per_page}"
        if exercise is not None:
            query += f"&exercise={exercise}"
        return links.page("/api/v1/submissions" + query)

    last_page = max(1, -(-result.count // per_page))
    return {
        "items": result.items,
        "count": result.count,
        "page": page,
        "per_page": per_page,
        "next": page_url(page + 1) if page < last_page else None,
        "previous": page_url(min(page - 1, last_page)) if page > 1 else None,
    }


@router.get(
    "/submissions/{submission_id}",
    response={200: SubmissionOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A submission with its status, result and events",
)
def submission_get(request: HttpRequest, submission_id: uuid.UUID) -> object:
    document = _document(request, submission_id)
    if document is None:
        return error_json("not_found", NOT_FOUND, status=404)
    return document


@router.post(
    "/submissions/{submission_id}/cancel",
    response={
        200: SubmissionOut,
        202: SubmissionOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Cancel a submission that has no result yet",
    description="A queued one is cancelled at once (200). A running one answers 202 "
    "while its container is killed; the cancelled result follows on its stream. "
    "A finished one answers 409.",
)
def submission_cancel_endpoint(request: HttpRequest, submission_id: uuid.UUID) -> object:
    token = request_token(request)
    cancelled = submission_cancel(submission_id=submission_id, user=token.user)
    status = 202 if cancelled.status == Submission.Status.RUNNING else 200
    return Status(status, _document(request, cancelled.id))


# One event of the stream as an EventSource sees it (OpenAPI 3.1 has the schema of
# a text/event-stream response describe each event).
SSE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event": {
            "type": "string",
            "enum": [*SubmissionEvent.Type.values, "position", "grader"],
        },
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "The event as JSON: {seq, type, data, at} for a stored event "
            "(as in a submission's `events`), {type, data} for `position` and `grader`.",
        },
        "id": {
            "type": "string",
            "pattern": "^[0-9]+$",
            "description": "The seq of a stored event; the Last-Event-ID to resume after it.",
        },
        "retry": {"type": "integer", "minimum": 0},
    },
    "required": ["event", "data"],
}


class SseQuery(Schema):
    after: int = Field(0, ge=0, description="Replay the stored events after this seq.")


def _sse_event(event: dict[str, Any]) -> str:
    if event is IDLE:
        return ": keep-alive\n\n"
    lines = []
    if "seq" in event:
        lines.append(f"id: {event['seq']}")
    lines.append(f"event: {event['type']}")
    lines.append(f"data: {json.dumps(event, separators=(',', ':'))}")
    return "\n".join(lines) + "\n\n"


async def _sse_stream(submission_id: uuid.UUID, after: int) -> AsyncIterator[str]:
    # Reconnect quickly; EventSource sends Last-Event-ID with the next request.
    yield "retry: 2000\n\n"
    async for event in submission_follow(submission_id=submission_id, after=after):
        yield _sse_event(event)


@router.get(
    "/submissions/{submission_id}/events",
    response={401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Follow a submission with Server-Sent Events",
    description=(
        "The stored events after `Last-Event-ID` (or `?after=`), then live ones, in order; "
        "the stream ends after the `completed` event. Each stored event has `id: <seq>`, "
        "`event: <type>` and `data: <the event as JSON>`; `position` and `grader` events "
        "have no id. A client that already has the `completed` event gets 204."
    ),
    openapi_extra={
        "responses": {
            "200": {
                "description": "An event stream; the schema is that of one event.",
                "content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
            },
            "204": {
                "description": "The submission is complete and the client has every event, "
                "up to `completed`: nothing more will come (EventSource stops reconnecting)."
            },
        },
        "parameters": [
            {
                "in": "header",
                "name": "Last-Event-ID",
                "required": False,
                "schema": {"type": "string"},
                "description": "The last seq received; replay resumes after it.",
            }
        ],
    },
)
async def submission_events(
    request: HttpRequest, submission_id: uuid.UUID, query: Query[SseQuery]
) -> HttpResponse | StreamingHttpResponse:
    token = request_token(request)
    submission = await database_sync_to_async(api_submission_get)(
        submission_id=submission_id, viewer=token.user
    )
    if submission is None:
        return error_json("not_found", NOT_FOUND, status=404)
    after = query.after
    last_event_id = request.headers.get("Last-Event-ID", "").strip()
    if last_event_id:
        # A seq is a small decimal number; anything else replays from the start.
        valid = last_event_id.isascii() and last_event_id.isdigit() and len(last_event_id) < 19
        after = int(last_event_id) if valid else 0
    start = await database_sync_to_async(event_stream_start)(
        submission_id=submission.id, after=after
    )
    if start.finished:
        # EventSource reconnects whenever a stream ends, also after `completed`;
        # 204 is the answer that tells it to stop.
        return HttpResponse(status=204)
    response = StreamingHttpResponse(
        _sse_stream(submission.id, start.after), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    # Tell a proxy (nginx) not to buffer the stream.
    response["X-Accel-Buffering"] = "no"
    return response
