"""GET endpoints of the catalog: courses, exercises, and who is calling."""

from django.http import HttpRequest
from ninja import Router

from api.auth import request_token
from api.errors import error_json
from api.links import links_for
from api.schemas import CourseOut, ErrorOut, ExerciseOut, ExerciseSummaryOut, MeOut
from api.selectors import (
    api_course_exists,
    api_course_list,
    api_exercise_document,
    api_exercise_get,
    api_exercise_list,
)

router = Router(tags=["catalog"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="Who the token belongs to")
def me(request: HttpRequest) -> dict[str, object]:
    token = request_token(request)
    return {
        "username": token.user.get_username(),
        "token": {"name": token.name, "scopes": token.scopes, "expires_at": token.expires_at},
    }


@router.get("/courses", response={200: list[CourseOut], 401: ErrorOut}, summary="List courses")
def courses(request: HttpRequest) -> list[dict[str, object]]:
    return api_course_list(links=links_for(request))


@router.get(
    "/exercises",
    response={200: list[ExerciseSummaryOut], **ERRORS},
    summary="List exercises, in course order",
)
def exercises(request: HttpRequest, course: str | None = None) -> object:
    if course is not None and not api_course_exists(slug=course):
        return error_json("unknown_course", f"There is no course called {course!r}.", status=404)
    return api_exercise_list(course_slug=course, links=links_for(request))


@router.get(
    "/exercises/{slug}",
    response={200: ExerciseOut, **ERRORS},
    summary="One exercise: starter files, visible tests, limits",
)
def exercise(request: HttpRequest, slug: str) -> object:
    found = api_exercise_get(slug=slug)
    if found is None:
        return error_json("unknown_exercise", f"There is no exercise called {slug!r}.", status=404)
    return api_exercise_document(exercise=found, links=links_for(request))
