"""The grader's pages and endpoints: the browser exercise widget's JSON
endpoints (create a submission, poll it), the learner's submission history
pages, and the health and metrics endpoints for operators."""

import hmac
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST, require_safe

from config.refusals import error_json, refusal_json, request_json
from grader.health import health_report
from grader.metrics import metrics_render
from grader.models import Submission
from grader.selectors import (
    submission_document,
    submission_get_visible,
    submission_history,
    submission_history_get,
    submission_latest,
    submission_passing_latest,
    submission_previous,
    submission_queue_position,
)
from grader.services import SubmissionInvalid, submission_cancel, submission_create
from grader.submission_diff import files_diff
from grader.submission_review import submission_review, submission_row
from learning.services import ExerciseRequestInvalid, draft_save
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
    body = request_json(request)
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
    return JsonResponse(_widget_submission(submission), status=202)


def _widget_submission(submission: Submission) -> dict[str, object]:
    """Where the widget follows a submission: its document's URL and its events."""
    return {
        "id": str(submission.id),
        "status": submission.status,
        "mode": submission.mode,
        "position": submission_queue_position(submission=submission),
        "status_url": reverse("grader:submission_detail", args=[submission.id]),
        "events_url": f"/ws/submissions/{submission.id}/",
        "cancel_url": reverse("grader:submission_cancel", args=[submission.id]),
    }


@require_GET
def submission_detail_view(request: HttpRequest, submission_id: uuid.UUID) -> JsonResponse:
    submission = submission_get_visible(submission_id=submission_id, user=request.user)
    if submission is None:
        return error_json("not_found", "No such submission, or it is not yours.", status=404)
    return JsonResponse(submission_document(submission=submission))


@require_GET
def submission_latest_view(request: HttpRequest, exercise_slug: str) -> HttpResponse:
    """The learner's newest submission of the exercise, for the widget to show
    again after a reload (its result) or follow (still being graded); 204 when
    there is none, or for a visitor who is not logged in."""
    user = request.user
    exercise = Exercise.objects.filter(slug=exercise_slug).first()
    if exercise is None:
        return error_json(
            "unknown_exercise", f"There is no exercise called {exercise_slug!r}.", status=404
        )
    latest = submission_latest(user=user, exercise=exercise) if isinstance(user, User) else None
    if latest is None:
        return HttpResponse(status=204)
    return JsonResponse(
        {
            **_widget_submission(latest),
            "created_at": latest.created_at.isoformat(),
            "result": latest.result,
        }
    )


@require_POST
def submission_cancel_view(request: HttpRequest, submission_id: uuid.UUID) -> JsonResponse:
    """The widget's Cancel, as the API's: 200 for a queued submission, cancelled
    at once; 202 for a running one, whose cancelled result follows on its stream."""
    if not isinstance(request.user, User):
        return error_json("not_authenticated", "Log in to cancel a submission.", status=401)
    try:
        cancelled = submission_cancel(submission_id=submission_id, user=request.user)
    except SubmissionInvalid as error:
        return refusal_json(error)
    status = 202 if cancelled.status == Submission.Status.RUNNING else 200
    return JsonResponse(submission_document(submission=cancelled), status=status)


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
        submission_history(user=request.user, exercise=exercise).select_related(
            "exercise", "submitted_by", "regrade_of"
        ),
        HISTORY_PAGE_SIZE,
    )
    page = pages.get_page(request.GET.get("page"))
    context = {
        "exercise": exercise,
        "page": page,
        "rows": [submission_row(submission=submission) for submission in page],
    }
    return render(request, "grader/history.html", context)


def _own_submission_or_404(user: User, exercise: Exercise, submission_id: uuid.UUID) -> Submission:
    submission = submission_history_get(user=user, exercise=exercise, submission_id=submission_id)
    if submission is None:
        raise Http404("No such submission, or it is not yours.")
    return submission


@require_safe
@login_required
def exercise_history_detail(
    request: HttpRequest, exercise_slug: str, submission_id: uuid.UUID
) -> HttpResponse:
    """One of the learner's submissions: its code and its result. 404 for anyone else's."""
    assert isinstance(request.user, User)  # login_required
    exercise = _exercise_or_404(exercise_slug)
    submission = _own_submission_or_404(request.user, exercise, submission_id)
    previous = submission_previous(submission=submission)
    context = {
        "exercise": exercise,
        "review": submission_review(submission=submission),
        "previous": submission_row(submission=previous) if previous else None,
        # The editor to load the code into is on the exercise's lesson page.
        "offered": exercise_offered_get(slug=exercise.slug) is not None,
    }
    return render(request, "grader/history_detail.html", context)


NOT_OFFERED = (
    "This exercise is no longer part of any lesson, so there is no editor to load "
    "the code into. Its history stays: you can still read and copy the code."
)


def _history_refused(
    request: HttpRequest, exercise: Exercise, message: str, *, status: int
) -> HttpResponse:
    """A history page's answer to a request it cannot meet, in words."""
    context = {"exercise": exercise, "message": message}
    return render(request, "grader/history_refused.html", context, status=status)


@require_POST
@login_required
def exercise_history_load(
    request: HttpRequest, exercise_slug: str, submission_id: uuid.UUID
) -> HttpResponse:
    """The button "Load this code into the editor": the submission's files become
    the learner's draft of the exercise, which the lesson page's editor restores."""
    assert isinstance(request.user, User)  # login_required
    exercise = _exercise_or_404(exercise_slug)
    submission = _own_submission_or_404(request.user, exercise, submission_id)
    offered = exercise_offered_get(slug=exercise.slug)
    if offered is None or offered.lesson is None:
        return _history_refused(request, exercise, NOT_OFFERED, status=409)
    try:
        draft_save(user=request.user, exercise=offered, files=submission.files)
    except ExerciseRequestInvalid as error:  # the exercise's files changed since
        message = f"This code cannot be loaded into the editor: {error.message}"
        return _history_refused(request, exercise, message, status=error.status)
    return redirect(f"{offered.lesson.get_absolute_url()}#exercise-{offered.slug}")


@require_POST
@login_required
def exercise_continue(request: HttpRequest, exercise_slug: str) -> HttpResponse:
    """ "Start from your code of <the step before>": for a project's step (front
    matter `continues`), the learner's passing code of the step before, with
    this step's own starter files for the names it does not have, becomes the
    draft, and the workspace opens with it."""
    assert isinstance(request.user, User)  # login_required
    exercise = exercise_offered_get(slug=exercise_slug)
    if exercise is None or exercise.lesson is None:
        raise Http404("No such exercise.")
    previous = Exercise.objects.filter(
        course=exercise.course_id, slug=exercise.continues_from
    ).first()
    passing = submission_passing_latest(user=request.user, exercise=previous) if previous else None
    if previous is None or passing is None:
        message = (
            "This step starts from your passing code of the step before, which you have "
            "not passed yet."
        )
        return _history_refused(request, exercise, message, status=409)
    files = {
        **exercise.starter_files,
        **{name: text for name, text in passing.files.items() if name in exercise.accepted_files},
    }
    try:
        draft_save(user=request.user, exercise=exercise, files=files)
    except ExerciseRequestInvalid as error:
        message = f"Your code of the step before cannot be loaded: {error.message}"
        return _history_refused(request, exercise, message, status=error.status)
    return redirect(
        "learning:exercise",
        course_slug=exercise.course.slug,
        lesson_slug=exercise.lesson.slug,
        exercise_slug=exercise.slug,
    )


def _submission_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@require_safe
@login_required
def exercise_history_compare(request: HttpRequest, exercise_slug: str) -> HttpResponse:
    """The changes, file by file, from one of the learner's submissions of the
    exercise (?old=<id>) to another (?new=<id>); nobody else's."""
    assert isinstance(request.user, User)  # login_required
    exercise = _exercise_or_404(exercise_slug)
    old_id = _submission_id(request.GET.get("old"))
    new_id = _submission_id(request.GET.get("new"))
    if old_id is None or new_id is None:
        message = "Pick two submissions to compare: one under “Before” and one under “After”."
        return _history_refused(request, exercise, message, status=400)
    if old_id == new_id:
        message = "Pick two different submissions: these are the same one."
        return _history_refused(request, exercise, message, status=400)
    old = submission_history_get(user=request.user, exercise=exercise, submission_id=old_id)
    new = submission_history_get(user=request.user, exercise=exercise, submission_id=new_id)
    if old is None or new is None:
        # The same answer for another learner's id, another exercise's and no id at all.
        message = "Only your own submissions of this exercise can be compared."
        return _history_refused(request, exercise, message, status=404)
    context = {
        "exercise": exercise,
        "sides": [
            ("Before", submission_row(submission=old)),
            ("After", submission_row(submission=new)),
        ],
        "files": files_diff(old=old.files, new=new.files),
    }
    return render(request, "grader/history_compare.html", context)
