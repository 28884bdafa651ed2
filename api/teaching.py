"""An instructor's endpoints: the classes the token's user teaches, one with
its learners, its gradebook (the page's data, teaching/gradebook.py) and its
learners' submissions. A class the user does not teach does not exist (404
class_not_found), as on the site."""

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from api.auth import request_token
from api.errors import error_json
from api.links import links_for
from api.schemas import (
    ClassDetailOut,
    ClassOut,
    ClassSubmissionPageOut,
    ErrorOut,
    GradebookOut,
)
from api.selectors import Links
from classes.models import Classroom
from classes.selectors import class_learners, classes_taught, classroom_taught
from grader.models import Submission
from lessons.models import Exercise
from teaching.gradebook import Cell, Row, class_submissions, gradebook_get

router = Router(tags=["teaching"])


class GradebookQuery(Schema):
    module: str | None = Field(None, max_length=100, description="Only this module's exercises.")
    before_due: bool = Field(
        False, description="Best score of the submissions sent by each learner's due date."
    )
    behind: bool = Field(False, description="Only the learners who are behind.")
    sort: str = Field(
        "name",
        max_length=120,
        description="name, total, progress or exercise:<slug>; a leading - sorts descending.",
    )


class ClassSubmissionsQuery(Schema):
    exercise: str | None = Field(None, max_length=100, description="Only this exercise's.")
    learner: str | None = Field(None, max_length=150, description="Only this learner's (username).")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


def _not_taught(classroom_id: int) -> Any:
    return error_json(
        "class_not_found",
        f"You teach no class {classroom_id}; GET /api/v1/classes lists the classes you teach.",
        status=404,
    )


def _class_document(classroom: Classroom, links: Links, *, learner_count: int) -> dict[str, Any]:
    return {
        "id": classroom.pk,
        "name": classroom.name,
        "course": classroom.course.slug,
        "course_title": classroom.course.title,
        "starts_on": classroom.starts_on,
        "ends_on": classroom.ends_on,
        "joining_open": classroom.joining_open,
        "learner_count": learner_count,
        "url": links.page(reverse("classes:classroom", args=[classroom.pk])),
    }


@router.get(
    "/classes",
    response={200: list[ClassOut], 401: ErrorOut},
    summary="The classes I teach",
)
def class_list(request: HttpRequest) -> object:
    token = request_token(request)
    links = links_for(request)
    taught = classes_taught(user=token.user).annotate(learners_in=Count("memberships"))
    return [
        _class_document(classroom, links, learner_count=classroom.learners_in)
        for classroom in taught
    ]


@router.get(
    "/classes/{classroom_id}",
    response={200: ClassDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A class I teach, with its instructors and learners",
)
def class_get(request: HttpRequest, classroom_id: int) -> object:
    token = request_token(request)
    classroom = classroom_taught(user=token.user, classroom_id=classroom_id)
    if classroom is None:
        return _not_taught(classroom_id)
    memberships = list(classroom.memberships.select_related("user").order_by("user__username"))
    return {
        **_class_document(classroom, links_for(request), learner_count=len(memberships)),
        "instructors": sorted(user.get_username() for user in classroom.instructors.all()),
        "learners": [
            {
                "username": membership.user.get_username(),
                "name": membership.user.get_full_name(),
                "email": membership.user.email,
                "joined_at": membership.joined_at,
            }
            for membership in memberships
        ],
    }


def _cell_document(cell: Cell) -> dict[str, Any]:
    override = cell.override
    return {
        "exercise": cell.column.exercise.slug,
        "score": cell.score,
        "graded_score": cell.graded_score,
        "max_score": cell.max_score,
        "attempts": cell.attempts,
        "passed": cell.passed,
        "past_due": cell.past_due,
        "due_at": cell.due_at,
        "override": (
            {
                "score": override.score,
                "reason": override.reason,
                "set_by": override.set_by.get_username() if override.set_by else None,
                "created_at": override.created_at,
            }
            if override is not None
            else None
        ),
    }


def _row_document(row: Row) -> dict[str, Any]:
    return {
        "username": row.learner.get_username(),
        "name": row.learner.get_full_name(),
        "email": row.learner.email,
        "total": row.total,
        "max_total": row.max_total,
        "passed": row.passed,
        "progress": row.progress,
        "last_activity": row.last_activity,
        "behind": row.behind,
        "cells": [_cell_document(cell) for cell in row.cells],
    }


@router.get(
    "/classes/{classroom_id}/gradebook",
    response={200: GradebookOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A class's gradebook",
    description="The gradebook page's data: one row per learner, one cell per exercise in "
    "course order. A score set by hand replaces the graded score in `score` and the totals; "
    "`graded_score` stays.",
)
def class_gradebook(
    request: HttpRequest, classroom_id: int, query: Query[GradebookQuery]
) -> object:
    token = request_token(request)
    classroom = classroom_taught(user=token.user, classroom_id=classroom_id)
    if classroom is None:
        return _not_taught(classroom_id)
    book = gradebook_get(
        classroom=classroom,
        module_slug=query.module,
        before_due=query.before_due,
        behind_only=query.behind,
        sort=query.sort,
    )
    return {
        "classroom": classroom.pk,
        "module": book.module_slug,
        "before_due": book.before_due,
        "behind": book.behind_only,
        "sort": book.sort,
        "median_progress": book.median_progress,
        "learner_count": book.learner_count,
        "exercises": [
            {
                "slug": column.exercise.slug,
                "title": column.exercise.title,
                "module": column.module.slug,
                "max_score": column.max_score,
                "due_at": column.due_at,
            }
            for column in book.columns
        ],
        "rows": [_row_document(row) for row in book.rows],
    }


def _submission_document(
    submission: Submission, classroom: Classroom, links: Links
) -> dict[str, Any]:
    assert submission.user is not None  # a class's learner's
    page = reverse(
        "teaching:learner_exercise",
        args=[classroom.pk, submission.user.pk, submission.exercise.slug],
    )
    return {
        "id": str(submission.id),
        "exercise": submission.exercise.slug,
        "learner": submission.user.get_username(),
        "submitted_by": (
            submission.submitted_by.get_username()
            if submission.submitted_by and submission.submitted_by_id != submission.user_id
            else None
        ),
        "status": submission.status,
        "mode": submission.mode,
        "regrade": submission.source == Submission.Source.REGRADE,
        "verdict": (submission.result or {}).get("verdict"),
        "score": submission.score,
        "max_score": submission.max_score,
        "created_at": submission.created_at,
        "finished_at": submission.finished_at,
        "url": links.page(f"{page}?submission={submission.id}"),
    }


@router.get(
    "/classes/{classroom_id}/submissions",
    response={200: ClassSubmissionPageOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A class's learners' submissions, newest first",
    description="Their own, those sent on their behalf (`submitted_by`) and regrades; "
    "an unknown `exercise` (of the class's course) or `learner` (of the class) is 404.",
)
def class_submission_list(
    request: HttpRequest, classroom_id: int, query: Query[ClassSubmissionsQuery]
) -> object:
    token = request_token(request)
    classroom = classroom_taught(user=token.user, classroom_id=classroom_id)
    if classroom is None:
        return _not_taught(classroom_id)
    exercise = learner = None
    if query.exercise is not None:
        exercise = Exercise.objects.filter(course=classroom.course, slug=query.exercise).first()
        if exercise is None:
            return error_json(
                "unknown_exercise",
                f"{classroom.course.title!r} has no exercise {query.exercise!r}.",
                status=404,
            )
    if query.learner is not None:
        learner = class_learners(classroom=classroom).filter(username=query.learner).first()
        if learner is None:
            return error_json(
                "not_a_learner",
                f"{query.learner!r} is not a learner of this class; GET "
                f"/api/v1/classes/{classroom.pk} lists them.",
                status=404,
            )
    found = class_submissions(classroom=classroom, exercise=exercise, learner=learner)
    links = links_for(request)
    page, per_page = query.page, query.per_page
    start = (page - 1) * per_page
    count = found.count()

    def page_url(number: int) -> str:
        params: dict[str, object] = {"page": number, "per_page": per_page}
        if query.exercise is not None:
            params["exercise"] = query.exercise
        if query.learner is not None:
            params["learner"] = query.learner
        return links.page(f"/api/v1/classes/{classroom.pk}/submissions?{urlencode(params)}")

    last_page = max(1, -(-count // per_page))
    return {
        "items": [
            _submission_document(submission, classroom, links)
            for submission in found[start : start + per_page]
        ],
        "count": count,
        "page": page,
        "per_page": per_page,
        "next": page_url(page + 1) if page < last_page else None,
        "previous": page_url(min(page - 1, last_page)) if page > 1 else None,
    }
