"""What a check-yourself question on a lesson page shows: its prompt and
choices, the learner's last answer and its feedback, and nothing of the key.

The stored lesson HTML holds a slot where each question goes (lessons/
questions.py); lesson_body_html fills each slot with _question.html, so the
template gets this whitelist, never the question dict with its key.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from learning.questions import QuestionState, question_states_get
from lessons.models import Lesson
from lessons.questions import ANSWER_MAX_LENGTH, CHOICE, QUESTION_SLOT_PATTERN, QuestionGrade


@dataclass(frozen=True)
class ChoiceOption:
    index: int
    html: str
    checked: bool
    element_id: str


@dataclass(frozen=True)
class QuestionWidget:
    id: str
    element_id: str
    kind: str
    prompt_html: str
    multiple: bool
    choices: list[ChoiceOption]
    # The learner's last short answer ("" if none).
    text: str
    answer_max_length: int
    answer_url: str
    is_authenticated: bool
    login_url: str
    signup_url: str
    # "unanswered", "correct" or "incorrect"
    state: str
    feedback_html: str


def question_feedback_html(*, grade: QuestionGrade, attempts: int) -> str:
    """The verdict and the author's feedback for what the learner chose: on the
    page after a reload, and in the endpoint's answer for the script."""
    return render_to_string(
        "learning/_question_feedback.html", {"grade": grade, "attempts": attempts}
    )


def question_answer_url(*, lesson: Lesson, question_id: str) -> str:
    return reverse(
        "learning:question_answer",
        kwargs={
            "course_slug": lesson.course.slug,
            "lesson_slug": lesson.slug,
            "question_id": question_id,
        },
    )


def question_widget(
    *, state: QuestionState, lesson: Lesson, is_authenticated: bool
) -> QuestionWidget:
    question = state.question
    element_id = f"question-{question['id']}"
    answer = state.answer if state.grade is not None else None
    chosen = set(answer.choices) if answer is not None else set()
    back = urlencode({"next": f"{lesson.get_absolute_url()}#{element_id}"})
    return QuestionWidget(
        id=question["id"],
        element_id=element_id,
        kind=question["kind"],
        prompt_html=question["prompt_html"],
        multiple=question["multiple"],
        choices=[
            ChoiceOption(
                index=index,
                html=choice["html"],
                checked=index in chosen,
                element_id=f"{element_id}-c{index}",
            )
            for index, choice in enumerate(question["choices"])
        ]
        if question["kind"] == CHOICE
        else [],
        text=answer.text if answer is not None else "",
        answer_max_length=ANSWER_MAX_LENGTH,
        answer_url=question_answer_url(lesson=lesson, question_id=question["id"]),
        is_authenticated=is_authenticated,
        login_url=f"{reverse('login')}?{back}",
        signup_url=f"{reverse('signup')}?{back}",
        state=(
            "unanswered"
            if state.grade is None
            else ("correct" if state.grade.correct else "incorrect")
        ),
        feedback_html=(
            question_feedback_html(grade=state.grade, attempts=answer.attempts)
            if state.grade is not None and answer is not None
            else ""
        ),
    )


def lesson_body_html(*, lesson: Lesson, request: HttpRequest) -> SafeString:
    """The lesson's stored HTML with each question's slot filled for this visitor."""
    if not lesson.questions:
        return mark_safe(lesson.body_html)  # noqa: S308 - rendered and sanitized by the loader
    user = request.user
    authenticated = bool(user.is_authenticated)
    rendered = {
        state.question["id"]: render_to_string(
            "learning/_question.html",
            {
                "question": question_widget(
                    state=state, lesson=lesson, is_authenticated=authenticated
                )
            },
            request=request,
        )
        for state in question_states_get(user=user, lesson=lesson)
    }
    # The loader's own HTML and our own template: both safe to put in the page.
    filled = QUESTION_SLOT_PATTERN.sub(lambda slot: rendered.get(slot[1], ""), lesson.body_html)
    return mark_safe(filled)  # noqa: S308
