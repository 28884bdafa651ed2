"""Check-yourself questions as stored with their lesson (Lesson.questions), and
how an answer is graded against them (docs/authoring.md, "Check-yourself
questions"). The loader writes them (lessons/loader/questions.py); learning/
grades and stores learners' answers. The key stays on the server: the page
gets only a slot where the question goes (QUESTION_SLOT), filled in by
learning.question_widget without the key.

A stored question is a dict:
    {"id", "kind": "choice"|"text", "prompt_html",
     "multiple": bool, "choices": [{"html", "correct", "feedback_html"}],
     "answers": [normalized text], "pattern": regex or "",
     "feedback_correct_html", "feedback_incorrect_html"}
"""

import re
from dataclasses import dataclass
from typing import Any

CHOICE = "choice"
TEXT = "text"
# The most a short answer may be; the page's input says so too.
ANSWER_MAX_LENGTH = 200
QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")

# What a ```question fence becomes in the stored lesson HTML: the nh3 allow-list
# keeps a div's class and id, and nothing else of the question is in it.
QUESTION_SLOT = '<div class="lectern-question-slot" id="question-slot-{id}"></div>'
QUESTION_SLOT_PATTERN = re.compile(
    r'<div class="lectern-question-slot" id="question-slot-([a-z0-9-]+)"></div>'
)


def answer_normalized(text: str) -> str:
    """A short answer as it is compared: trimmed, inner runs of spaces made one,
    case-folded ("  Method   NOT allowed " -> "method not allowed")."""
    return " ".join(text.split()).casefold()


def question_find(*, questions: list[dict[str, Any]], question_id: str) -> dict[str, Any] | None:
    return next((question for question in questions if question["id"] == question_id), None)


@dataclass(frozen=True)
class FeedbackItem:
    # The learner's choice (its HTML) or their short answer (plain text).
    choice_html: str
    text: str
    feedback_html: str


@dataclass(frozen=True)
class QuestionGrade:
    correct: bool
    # For a choice question, one item per chosen choice in the question's order;
    # for a short answer, one item with the answer's feedback.
    feedback: list[FeedbackItem]


def answer_grade(
    *, question: dict[str, Any], choices: list[int], text: str
) -> QuestionGrade | None:
    """Grade an answer; None when it does not fit the question (a choice that
    no longer exists after a content reload, or no answer at all)."""
    if question["kind"] == CHOICE:
        options = question["choices"]
        chosen = sorted(set(choices))
        if not chosen or any(not 0 <= index < len(options) for index in chosen):
            return None
        if not question["multiple"] and len(chosen) > 1:
            return None
        right = [index for index, option in enumerate(options) if option["correct"]]
        return QuestionGrade(
            correct=chosen == right,
            feedback=[
                FeedbackItem(
                    choice_html=options[index]["html"],
                    text="",
                    feedback_html=options[index]["feedback_html"],
                )
                for index in chosen
            ],
        )
    answer = " ".join(text.split())
    if not answer:
        return None
    correct = answer_normalized(answer) in question["answers"] or bool(
        question["pattern"] and re.fullmatch(question["pattern"], answer, re.IGNORECASE)
    )
    feedback = question["feedback_correct_html" if correct else "feedback_incorrect_html"]
    return QuestionGrade(
        correct=correct,
        feedback=[FeedbackItem(choice_html="", text=answer, feedback_html=feedback)],
    )
