"""The documents the API answers with, read from the grader's and the lessons' records."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q

from api.models import CallbackDelivery
from grader.models import Submission
from grader.selectors import (
    submission_document,
    submission_get_visible,
    submission_queue_position,
)
from lessons.models import Exercise
from lessons.selectors import course_list, exercises_offered
from sandboxes.limits import LimitError, limits_resolve


@dataclass(frozen=True)
class Links:
    """Absolute URLs of this site, for the request being answered."""

    base: str  # e.g. https://lectern.example, no trailing slash
    ws_base: str  # wss://lectern.example

    def page(self, path: str) -> str:
        return self.base + path

    def submission(self, submission_id: object) -> dict[str, str]:
        return {
            "self": f"{self.base}/api/v1/submissions/{submission_id}",
            "events": f"{self.base}/api/v1/submissions/{submission_id}/events",
            "websocket": f"{self.ws_base}/ws/submissions/{submission_id}/",
        }


def api_course_list(*, links: Links) -> list[dict[str, Any]]:
    courses = course_list().annotate(
        live_exercises=Count("exercises", filter=Q(exercises__lesson__isnull=False), distinct=True)
    )
    return [
        {
            "slug": course.slug,
            "title": course.title,
            "summary": course.summary,
            "exercise_count": course.live_exercises,
            "url": links.page(course.get_absolute_url()),
        }
        for course in courses
    ]


def api_course_exists(*, slug: str) -> bool:
    return course_list().filter(slug=slug).exists()


def _exercise_summary(exercise: Exercise, links: Links) -> dict[str, Any]:
    assert exercise.lesson is not None
    lesson_url = exercise.lesson.get_absolute_url()
    return {
        "slug": exercise.slug,
        "title": exercise.title,
        "course": exercise.course.slug,
        "lesson": exercise.lesson.slug,
        "max_score": exercise.max_score,
        "accepted_files": list(exercise.accepted_files),
        "url": links.page(f"{lesson_url}#exercise-{exercise.slug}"),
    }


def api_exercise_list(*, course_slug: str | None, links: Links) -> list[dict[str, Any]]:
    exercises = exercises_offered().order_by(
        "course__order", "lesson__module__order", "lesson__order", "order", "slug"
    )
    if course_slug is not None:
        exercises = exercises.filter(course__slug=course_slug)
    return [_exercise_summary(exercise, links) for exercise in exercises]


def api_exercise_get(*, slug: str) -> Exercise | None:
    return exercises_offered().filter(slug=slug).first()


def api_exercise_document(*, exercise: Exercise, links: Links) -> dict[str, Any]:
    """What a learner needs to work on it: never the hidden tests or the solution."""
    visible = [test for test in exercise.tests if test["visibility"] == "visible"]
    hidden = [test for test in exercise.tests if test["visibility"] != "visible"]
    try:
        limits: dict[str, Any] | None = limits_resolve(exercise.limits).as_dict()
    except LimitError:
        limits = None  # a broken exercise: its submissions end in a grader error
    return {
        **_exercise_summary(exercise, links),
        "instructions_html": exercise.instructions_html,
        "starter_files": dict(exercise.starter_files),
        "visible_tests": dict(exercise.visible_test_files),
        "tests": [
            {"name": t["name"], "visibility": "visible", "max_points": float(t["points"])}
            for t in visible
        ],
        "hidden_tests": {
            "count": len(hidden),
            "max_points": float(sum(t["points"] for t in hidden)),
        },
        "limits": limits,
        "hint_count": len(exercise.hints),
    }


def api_submission_accepted(*, submission: Submission, links: Links) -> dict[str, Any]:
    """The 202 body of a new submission."""
    return {
        "id": str(submission.id),
        "status": submission.status,
        "position": submission_queue_position(submission=submission),
        "urls": links.submission(submission.id),
    }


def _callback_document(submission: Submission) -> dict[str, Any] | None:
    delivery = CallbackDelivery.objects.filter(submission=submission).first()
    if delivery is None:
        return None
    pending = delivery.delivered_at is None and delivery.failed_at is None
    return {
        "url": delivery.url,
        "attempts": delivery.attempts,
        "delivered_at": delivery.delivered_at,
        "failed_at": delivery.failed_at,
        "next_attempt_at": delivery.next_attempt_at if pending else None,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
    }


def api_submission_document(
    *, submission: Submission, viewer: User, links: Links
) -> dict[str, Any]:
    """The submission's document (grader.selectors), for its learner or its
    sender, with its URLs; SubmissionOut serialises it."""
    return {
        **submission_document(submission=submission),
        # The callback URL is the sender's business, not the learner's.
        "callback": (
            _callback_document(submission) if submission.submitted_by_id == viewer.pk else None
        ),
        "urls": links.submission(submission.id),
    }


def api_submission_get(*, submission_id: object, viewer: User) -> Submission | None:
    """The submission if `viewer` is its learner or sent it; else None (also for
    a malformed id, so a guess tells nothing)."""
    try:
        parsed = uuid.UUID(str(submission_id))
    except ValueError:
        return None
    submission = submission_get_visible(submission_id=parsed, user=viewer)
    if submission is None:
        return None
    return Submission.objects.select_related("exercise", "user", "submitted_by").get(pk=parsed)


@dataclass(frozen=True)
class SubmissionPage:
    items: list[dict[str, Any]]
    count: int


def api_submission_page(
    *, user: User, exercise: Exercise | None, page: int, per_page: int, links: Links
) -> SubmissionPage:
    """The user's own submissions (of one exercise), newest first, one page."""
    mine = Submission.objects.filter(user=user).select_related("exercise")
    if exercise is not None:
        mine = mine.filter(exercise=exercise)
    mine = mine.order_by("-created_at", "-id")
    start = (page - 1) * per_page
    items = [
        {
            "id": str(submission.id),
            "exercise": submission.exercise.slug,
            "status": submission.status,
            "mode": submission.mode,
            "verdict": (submission.result or {}).get("verdict"),
            "score": submission.score,
            "max_score": submission.max_score,
            "created_at": submission.created_at,
            "finished_at": submission.finished_at,
            "urls": links.submission(submission.id),
        }
        for submission in mine[start : start + per_page]
    ]
    return SubmissionPage(items=items, count=mine.count())
