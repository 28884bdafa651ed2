"""The endpoint a check-yourself question posts its answer to
(docs/learners.md, "Check-yourself questions"). The script sends JSON and
gets JSON back; without JavaScript the question is a plain form, whose post
comes back to the lesson. Only the requesting learner's answer is ever read
or written."""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config.refusals import error_json, refusal_json, request_json
from learning.question_widget import question_feedback_html
from learning.questions import (
    QuestionRequestInvalid,
    question_answer_check,
    question_answer_record,
    question_get,
    question_lesson_get,
)
from lessons.questions import CHOICE

LOGIN_REQUIRED = "Log in (or sign up) to check your answers."
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form_answer(request: HttpRequest, question: dict[str, Any]) -> dict[str, Any]:
    """A form post in the JSON body's shape, so that both are checked alike."""
    if question["kind"] == CHOICE:
        values = request.POST.getlist("choice")
        return {"choices": [int(value) if value.isdigit() else value for value in values]}
    return {"answer": request.POST.get("answer")}


@never_cache
@require_POST
def question_answer(
    request: HttpRequest, course_slug: str, lesson_slug: str, question_id: str
) -> HttpResponse:
    """POST an answer: graded, kept as the learner's last one, and answered with
    whether it is right and the feedback for what was chosen."""
    is_form = request.content_type in _FORMS
    lesson = question_lesson_get(course_slug=course_slug, lesson_slug=lesson_slug)
    question = question_get(lesson=lesson, question_id=question_id) if lesson else None
    user = request.user
    if not (isinstance(user, User) and user.is_authenticated):
        if is_form and lesson is not None:
            back = f"{lesson.get_absolute_url()}#question-{question_id}"
            return redirect(f"{reverse('login')}?{urlencode({'next': back})}")
        return error_json("login_required", LOGIN_REQUIRED, status=401)
    if lesson is None or question is None:
        return error_json(
            "unknown_question",
            f"Lesson {lesson_slug!r} of course {course_slug!r} has no question {question_id!r}.",
            status=404,
        )

    given = _form_answer(request, question) if is_form else request_json(request)
    try:
        answer = question_answer_check(question=question, given=given)
    except QuestionRequestInvalid as refusal:
        if is_form:
            context = {"lesson": lesson, "question_id": question_id, "message": refusal.message}
            return render(request, "learning/question_refused.html", context, status=refusal.status)
        return refusal_json(refusal)
    row, grade = question_answer_record(user=user, lesson=lesson, question=question, answer=answer)

    if is_form:
        return redirect(f"{lesson.get_absolute_url()}#question-{question_id}")
    return JsonResponse(
        {
            "question": question_id,
            "correct": grade.correct,
            "attempts": row.attempts,
            "answer": {"choices": row.choices}
            if question["kind"] == CHOICE
            else {"answer": row.text},
            "feedback": [item.feedback_html for item in grade.feedback],
            "feedback_html": question_feedback_html(grade=grade, attempts=row.attempts),
        }
    )
