"""JSON endpoints of the exercise widget for the learner's own state: the draft
being edited, the hints revealed and, once passed, the reference solution.
Each request reads or writes only the requesting learner's rows; there is no
way to name another learner."""

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from config.refusals import error_json, refusal_json, request_json
from learning import selectors
from learning.models import ExerciseProgress
from learning.services import (
    ExerciseRequestInvalid,
    draft_delete,
    draft_save,
    hint_reveal,
    solution_reveal,
)
from lessons.markdown_render import code_render
from lessons.models import Exercise
from lessons.selectors import exercise_offered_get

LOGIN_REQUIRED = "Log in (or sign up) to save your code and reveal hints."


def _learner_and_exercise(request: HttpRequest, slug: str) -> tuple[User, Exercise] | JsonResponse:
    """Who asks and about what, or the refusal: the learner must be logged in,
    and the exercise one that a lesson offers."""
    user = request.user
    if not (isinstance(user, User) and user.is_authenticated):
        return error_json("login_required", LOGIN_REQUIRED, status=401)
    exercise = exercise_offered_get(slug=slug)
    if exercise is None:
        return error_json("unknown_exercise", f"There is no exercise called {slug!r}.", status=404)
    return user, exercise


@never_cache
@require_http_methods(["GET", "PUT", "DELETE"])
def exercise_draft(request: HttpRequest, exercise_slug: str) -> HttpResponse:
    asked = _learner_and_exercise(request, exercise_slug)
    if isinstance(asked, JsonResponse):
        return asked
    learner, exercise = asked

    if request.method == "GET":
        draft = selectors.draft_get(user=learner, exercise=exercise)
        if draft is None:
            # Not an error: every first visit has no draft.
            return HttpResponse(status=204)
        return JsonResponse({"files": draft.files, "updated_at": draft.updated_at.isoformat()})

    if request.method == "DELETE":
        draft_delete(user=learner, exercise=exercise)
        return HttpResponse(status=204)

    body = request_json(request)
    if not isinstance(body, dict) or "files" not in body:
        return error_json(
            "invalid_json", 'Send a JSON body like {"files": {"app.py": "..."}}.', status=400
        )
    try:
        draft = draft_save(user=learner, exercise=exercise, files=body["files"])
    except ExerciseRequestInvalid as error:
        return refusal_json(error)
    return JsonResponse({"updated_at": draft.updated_at.isoformat()})


@never_cache
@require_http_methods(["GET", "POST"])
def exercise_hints(request: HttpRequest, exercise_slug: str) -> JsonResponse:
    """GET: the hints revealed so far. POST: reveal the next one."""
    asked = _learner_and_exercise(request, exercise_slug)
    if isinstance(asked, JsonResponse):
        return asked
    learner, exercise = asked

    progress: ExerciseProgress | None
    if request.method == "POST":
        try:
            progress = hint_reveal(user=learner, exercise=exercise)
        except ExerciseRequestInvalid as error:
            return refusal_json(error)
    else:
        progress = selectors.exercise_progress_get(user=learner, exercise=exercise)
    return JsonResponse(selectors.hint_state_get(exercise=exercise, progress=progress).as_json())


@never_cache
@require_http_methods(["GET"])
def exercise_solution(request: HttpRequest, exercise_slug: str) -> JsonResponse:
    """The reference solution, highlighted, for a learner who has passed the exercise."""
    asked = _learner_and_exercise(request, exercise_slug)
    if isinstance(asked, JsonResponse):
        return asked
    learner, exercise = asked
    try:
        files = solution_reveal(user=learner, exercise=exercise)
    except ExerciseRequestInvalid as error:
        return refusal_json(error)
    return JsonResponse(
        {
            "files": [
                {"name": name, "html": code_render(text, filename=name)}
                for name, text in files.items()
            ]
        }
    )
