"""JSON endpoints of the browser's exercise widget: create a submission, poll it."""

import hmac
import json
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from grader.health import health_report
from grader.metrics import metrics_render
from grader.models import Submission
from grader.selectors import submission_document, submission_get_visible, submission_queue_position
from grader.services import SubmissionInvalid, submission_create
from lessons.models import Exercise


def error_response(
    code: str, message: str, *, status: int, fields: dict | None = None
) -> JsonResponse:
    error: dict[str, object] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return JsonResponse({"error": error}, status=status)


@require_POST
def submission_create_view(request: HttpRequest, exercise_slug: str) -> JsonResponse:
    exercise = Exercise.objects.filter(slug=exercise_slug).first()
    if exercise is None:
        return error_response(
            "unknown_exercise", f"There is no exercise called {exercise_slug!r}.", status=404
        )
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return error_response(
            "invalid_json", 'Send a JSON body like {"files": {"app.py": "..."}}.', status=400
        )
    if not isinstance(body, dict) or "files" not in body:
        return error_response(
            "invalid_json", 'Send a JSON body like {"files": {"app.py": "..."}}.', status=400
        )
    try:
        submission = submission_create(
            exercise=exercise,
            files=body["files"],
            user=request.user,
            mode=str(body.get("mode", Submission.Mode.SUBMIT)),
        )
    except SubmissionInvalid as error:
        response = error_response(
            error.code, error.message, status=error.status, fields=error.fields
        )
        if error.retry_after is not None:
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    return JsonResponse(
        {
            "id": str(submission.id),
            "status": submission.status,
            "position": submission_queue_position(submission=submission),
            "status_url": reverse("grader:submission_detail", args=[submission.id]),
            "events_url": f"/ws/submissions/{submission.id}/",
        },
        status=202,
    )


@require_GET
def submission_detail_view(request: HttpRequest, submission_id: uuid.UUID) -> JsonResponse:
    submission = submission_get_visible(submission_id=submission_id, user=request.user)
    if submission is None:
        return error_response("not_found", "No such submission, or it is not yours.", status=404)
    return JsonResponse(submission_document(submission=submission))


@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    """200 when the site can grade, 503 with what is wrong otherwise (for probes)."""
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (grader/metrics.py); behind METRICS_TOKEN when it is set."""
    token = settings.METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(sent.encode(), token.encode()):
            return HttpResponse("Send the metrics token.\n", status=401, content_type="text/plain")
    return HttpResponse(metrics_render(), content_type="text/plain; version=0.0.4; charset=utf-8")
