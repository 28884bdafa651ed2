"""The grader's pages and endpoints: the browser exercise widget's JSON
endpoints (create a submission, poll it), the learner's submission history
pages, and the health and metrics endpoints for operators."""

import hmac
import json
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST, require_safe

from config.refusals import error_json, refusal_json
from grader.health import health_report
from grader.metrics import metrics_render
from grader.models import Submission
from grader.selectors import (
    submission_document,
    submission_get_visible,
    submission_history,
    submission_history_get,
    submission_queue_position,
)
from grader.services import SubmissionInvalid, submission_create
from grader.submission_review import submission_review, submission_row
from lessons.models import Exercise
from lessons.selectors import exercise_offered_get

HISTORY_PAGE_SIZE = 25


@require_POST
def submission_create_view(request: HttpRequest, exercise_slug: str) -> JsonResponse:
    exercise = exercise_offered_get(slug=exercise_slug)
    if exercise is None:
        return error_json(
            "unknown_exercise", f"There is no exercise called {exercise_slug!r}.", status=404
        )
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return error_json(
            "invalid_json", 'Send a JSON body like {"files": {"app.py": "..."}}.', status=400
        )
    if not isinstance(body, dict) or "files" not in body:
        return error_json(
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
        return refusal_json(error)
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
        return error_json("not_found", "No such submission, or it is not yours.", status=404)
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


# --- the learner's submission history (pages) ---------------------------------------


def _exercise_or_404(slug: str) -> Exercise:
    exercise = Exercise.objects.select_related("lesson__course").filter(slug=slug).first()
    if exercise is None:
        raise Http404("No such exercise.")
    return exercise


@require_safe
@login_required
def exercise_history(request: HttpRequest, exercise_slug: str) -> HttpResponse:
    """The learner's own submissions of one exercise, newest first."""
    assert isinstance(request.user, User)  # login_required
    exercise = _exercise_or_404(exercise_slug)
    pages = Paginator(
        submission_history(user=request.user, exercise=exercise).select_related("exercise"),
        HISTORY_PAGE_SIZE,
    )
    page = pages.get_page(request.GET.get("page"))
    context = {
        "exercise": exercise,
        "page": page,
        "rows": [submission_row(submission=submission) for submission in page],
    }
    return render(request, "grader/history.html", context)


@require_safe
@login_required
def exercise_history_detail(
    request: HttpRequest, exercise_slug: str, submission_id: uuid.UUID
) -> HttpResponse:
    """One of the learner's submissions: its code and its result. 404 for anyone else's."""
    assert isinstance(request.user, User)  # login_required
    exercise = _exercise_or_404(exercise_slug)
    submission = submission_history_get(
        user=request.user, exercise=exercise, submission_id=submission_id
    )
    if submission is None:
        raise Http404("No such submission, or it is not yours.")
    context = {"exercise": exercise, "review": submission_review(submission=submission)}
    return render(request, "grader/history_detail.html", context)
