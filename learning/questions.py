"""Learners' answers to check-yourself questions: checking and recording an
answer (services) and reading answers back for the page and for progress
(selectors). The questions and their key are content (lessons/questions.py);
only the learner's own last answer per question is stored here.

Pages and progress grade the stored answer again against the current key, so
an author who fixes a wrong key fixes every learner's standing with it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F
from django.utils import timezone

from config.refusals import Refused
from learning.models import QuestionAnswer
from lessons.models import Lesson
from lessons.questions import (
    ANSWER_MAX_LENGTH,
    CHOICE,
    QuestionGrade,
    answer_grade,
    question_find,
)


class QuestionRequestInvalid(Refused):
    """An answer that cannot be graded (config/refusals.py); nothing is stored."""


@dataclass(frozen=True)
class Answer:
    """What a learner answered: choice positions (from 0) or a short text."""

    choices: list[int]
    text: str


# --- Services ----------------------------------------------------------------------------


def question_answer_check(*, question: dict[str, Any], given: object) -> Answer:
    """The learner's answer to `question` from the JSON body ({"choices": [0, 2]}
    or {"answer": "..."}), or QuestionRequestInvalid saying what is wrong."""
    if not isinstance(given, dict):
        raise QuestionRequestInvalid(
            "invalid_json", 'Send a JSON object: {"choices": [0]} or {"answer": "..."}.'
        )
    if question["kind"] == CHOICE:
        return _choices_check(question=question, given=given.get("choices"))
    return _text_check(given=given.get("answer"))


def _choices_check(*, question: dict[str, Any], given: object) -> Answer:
    count = len(question["choices"])
    if given is None or given == []:
        raise QuestionRequestInvalid("no_answer", "Choose an answer first.")
    if (
        not isinstance(given, list)
        # bool is an int to Python, but not a choice.
        or not all(isinstance(index, int) and not isinstance(index, bool) for index in given)
        or not all(0 <= index < count for index in given)
        or len(set(given)) != len(given)
    ):
        raise QuestionRequestInvalid(
            "invalid_answer",
            f'"choices" must list distinct choice numbers from 0 to {count - 1}.',
            fields={"choices": "not a list of choice numbers"},
        )
    if not question["multiple"] and len(given) > 1:
        raise QuestionRequestInvalid(
            "one_choice_only",
            "This question has one answer: choose one choice.",
            fields={"choices": "more than one choice"},
        )
    return Answer(choices=sorted(given), text="")


def _text_check(*, given: object) -> Answer:
    if given is None or (isinstance(given, str) and not given.strip()):
        raise QuestionRequestInvalid("no_answer", "Type an answer first.")
    if not isinstance(given, str):
        raise QuestionRequestInvalid(
            "invalid_answer", '"answer" must be text.', fields={"answer": "not text"}
        )
    text = " ".join(given.split())
    if len(text) > ANSWER_MAX_LENGTH:
        raise QuestionRequestInvalid(
            "answer_too_long",
            f"An answer is at most {ANSWER_MAX_LENGTH} characters.",
            fields={"answer": "too long"},
        )
    return Answer(choices=[], text=text)


def question_answer_record(
    *, user: User, lesson: Lesson, question: dict[str, Any], answer: Answer
) -> tuple[QuestionAnswer, QuestionGrade]:
    """Grade the learner's answer and keep it as their last one (a learner may
    answer as often as they like; each answer replaces the one before)."""
    grade = answer_grade(question=question, choices=answer.choices, text=answer.text)
    # question_answer_check lets through only answers that fit the question.
    assert grade is not None
    row, _ = QuestionAnswer.objects.get_or_create(
        user=user, lesson=lesson, question_id=question["id"]
    )
    # F() keeps two quick answers from losing a count.
    QuestionAnswer.objects.filter(pk=row.pk).update(
        choices=answer.choices,
        text=answer.text,
        correct=grade.correct,
        attempts=F("attempts") + 1,
        answered_at=timezone.now(),
    )
    row.refresh_from_db()
    return row, grade


# --- Selectors ---------------------------------------------------------------------------


def question_lesson_get(*, course_slug: str, lesson_slug: str) -> Lesson | None:
    return (
        Lesson.objects.select_related("course")
        .filter(course__slug=course_slug, slug=lesson_slug)
        .first()
    )


@dataclass(frozen=True)
class QuestionState:
    """One question of a lesson with the learner's last answer, graded now."""

    question: dict[str, Any]
    answer: QuestionAnswer | None
    # None when there is no answer, or it no longer fits the question.
    grade: QuestionGrade | None


def _learner(user: User | AnonymousUser | None) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated else None


def question_states_get(
    *, user: User | AnonymousUser | None, lesson: Lesson
) -> list[QuestionState]:
    """The lesson's questions in page order, each with this learner's last answer."""
    learner = _learner(user)
    answers: dict[str, QuestionAnswer] = {}
    if learner is not None and lesson.questions:
        rows = QuestionAnswer.objects.filter(user=learner, lesson=lesson)
        answers = {row.question_id: row for row in rows}
    states = []
    for question in lesson.questions:
        row = answers.get(question["id"])
        grade = (
            answer_grade(question=question, choices=row.choices, text=row.text)
            if row is not None
            else None
        )
        states.append(QuestionState(question=question, answer=row, grade=grade))
    return states


@dataclass(frozen=True)
class QuestionsCount:
    """A lesson's questions: how many, how many the learner answered, and how
    many their last answer got right."""

    total: int
    answered: int
    correct: int

    @property
    def all_correct(self) -> bool:
        return self.correct >= self.total


def questions_answered_map(
    *, user: User | AnonymousUser | None, lessons: Iterable[Lesson]
) -> dict[int, QuestionsCount]:
    """By lesson id, the learner's standing on each lesson's questions, for
    lessons that have any (empty for anonymous visitors). One query."""
    learner = _learner(user)
    asked = [lesson for lesson in lessons if lesson.questions]
    if learner is None or not asked:
        return {}
    rows: dict[tuple[int, str], QuestionAnswer] = {
        (row.lesson_id, row.question_id): row
        for row in QuestionAnswer.objects.filter(
            user=learner, lesson__in=[each.pk for each in asked]
        )
    }
    counts = {}
    for lesson in asked:
        answered = correct = 0
        for question in lesson.questions:
            row = rows.get((lesson.pk, question["id"]))
            grade = (
                answer_grade(question=question, choices=row.choices, text=row.text)
                if row is not None
                else None
            )
            if grade is not None:
                answered += 1
                correct += grade.correct
        counts[lesson.pk] = QuestionsCount(
            total=len(lesson.questions), answered=answered, correct=correct
        )
    return counts


def question_get(*, lesson: Lesson, question_id: str) -> dict[str, Any] | None:
    return question_find(questions=lesson.questions, question_id=question_id)
