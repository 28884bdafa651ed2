"""Check-yourself questions on the lesson page and their answer endpoint: the
key stays on the server, answers are graded, kept per learner and shown again
after a reload, bad input is refused with a code and stores nothing, and the
progress selector counts them."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from learning.models import QuestionAnswer
from learning.questions import QuestionsCount, questions_answered_map
from lessons.loader.sync import content_load
from lessons.models import Lesson
from tests.support.clients import logged_in
from tests.support.courses import demo_course_files, tree_write

pytestmark = pytest.mark.django_db

LESSON = "/courses/demo/second/"
BODY = """\
---
title: Second lesson
---
## Check yourself

```question
id: pick-one
prompt: Which one is right?
choices:
  - text: The right one
    correct: true
    feedback: Yes, RIGHT_FEEDBACK_MARKER.
  - text: The wrong one
    feedback: No, WRONG_FEEDBACK_MARKER.
  - text: The other wrong one
    feedback: No, OTHER_FEEDBACK_MARKER.
```

```question
id: pick-some
prompt: Which two are right?
choices:
  - text: First
    correct: true
    feedback: FIRST_FEEDBACK_MARKER
  - text: Second
    feedback: SECOND_FEEDBACK_MARKER
  - text: Third
    correct: true
    feedback: THIRD_FEEDBACK_MARKER
```

```question
id: type-it
prompt: Which status code means Method Not Allowed?
answers: [405, "ANSWER_KEY_MARKER"]
pattern: 'PATTERN_MARKER_\\d+'
feedback:
  correct: TEXT_RIGHT_MARKER
  incorrect: TEXT_WRONG_MARKER
```
"""
KEY_MARKERS = [
    "RIGHT_FEEDBACK_MARKER",
    "WRONG_FEEDBACK_MARKER",
    "OTHER_FEEDBACK_MARKER",
    "FIRST_FEEDBACK_MARKER",
    "SECOND_FEEDBACK_MARKER",
    "THIRD_FEEDBACK_MARKER",
    "ANSWER_KEY_MARKER",
    "answer_key_marker",
    "PATTERN_MARKER",
    "TEXT_RIGHT_MARKER",
    "TEXT_WRONG_MARKER",
]


def url(question: str) -> str:
    return f"{LESSON}questions/{question}/"


@pytest.fixture
def lesson(content_root: Path) -> Lesson:
    files = {**demo_course_files(), "demo/02-more/01-second.md": BODY}
    content_load(root=tree_write(content_root, files))
    return Lesson.objects.get(slug="second")


def answer(client: Client, question: str, body: Any) -> Any:
    return client.post(url(question), json.dumps(body), content_type="application/json")


def test_the_page_shows_the_questions_but_not_their_key(learner: User, lesson: Lesson) -> None:
    for client in (Client(), logged_in(learner)):
        page = client.get(LESSON).content.decode()
        assert page.count('<form class="question') == 3
        assert "<legend" in page and 'role="status"' in page
        assert 'type="radio" name="choice"' in page
        assert 'type="checkbox" name="choice"' in page
        assert 'name="answer"' in page
        assert "The other wrong one" in page
        for marker in KEY_MARKERS:
            assert marker not in page, marker
        assert "correct" not in page.replace("question--", "").replace("unanswered", "")
        assert "js/questions.js" in page
    anonymous = Client().get(LESSON).content.decode()
    assert "to check your answer" in anonymous
    assert "data-answer-url" not in anonymous
    assert "data-answer-url" in logged_in(learner).get(LESSON).content.decode()


def test_a_wrong_answer_then_a_right_one(learner: User, lesson: Lesson) -> None:
    client = logged_in(learner)

    wrong = answer(client, "pick-one", {"choices": [1]})
    assert wrong.status_code == 200
    body = wrong.json()
    assert body["correct"] is False
    assert body["attempts"] == 1
    assert body["answer"] == {"choices": [1]}
    assert len(body["feedback"]) == 1 and "WRONG_FEEDBACK_MARKER" in body["feedback"][0]
    assert "Not quite." in body["feedback_html"]
    # Only the chosen choice's feedback: the key is not given away.
    assert "RIGHT_FEEDBACK_MARKER" not in json.dumps(body)
    assert "OTHER_FEEDBACK_MARKER" not in json.dumps(body)

    right = answer(client, "pick-one", {"choices": [0]}).json()
    assert right["correct"] is True
    assert right["attempts"] == 2
    assert "RIGHT_FEEDBACK_MARKER" in right["feedback_html"]
    assert "Correct." in right["feedback_html"]

    row = QuestionAnswer.objects.get(user=learner, lesson=lesson, question_id="pick-one")
    assert (row.choices, row.correct, row.attempts) == ([0], True, 2)


def test_multiple_choice_needs_every_right_choice(learner: User, lesson: Lesson) -> None:
    client = logged_in(learner)
    assert answer(client, "pick-some", {"choices": [0]}).json()["correct"] is False
    partial = answer(client, "pick-some", {"choices": [0, 1, 2]}).json()
    assert partial["correct"] is False
    assert len(partial["feedback"]) == 3
    both = answer(client, "pick-some", {"choices": [2, 0]}).json()
    assert both["correct"] is True
    assert both["answer"] == {"choices": [0, 2]}


def test_short_answers(learner: User, lesson: Lesson) -> None:
    client = logged_in(learner)
    wrong = answer(client, "type-it", {"answer": "404"}).json()
    assert wrong["correct"] is False and "TEXT_WRONG_MARKER" in wrong["feedback_html"]
    assert "404" in wrong["feedback_html"]
    for given in ("405", "  answer_key_MARKER ", "pattern_marker_12"):
        reply = answer(client, "type-it", {"answer": given}).json()
        assert reply["correct"] is True, given
        assert "TEXT_RIGHT_MARKER" in reply["feedback_html"]


def test_after_a_reload_the_last_answer_and_its_feedback_are_shown(
    learner: User, lesson: Lesson
) -> None:
    client = logged_in(learner)
    answer(client, "pick-one", {"choices": [2]})
    answer(client, "type-it", {"answer": "Four hundred"})

    page = client.get(LESSON).content.decode()
    assert 'value="2" id="question-pick-one-c2" checked' in page
    assert 'value="0" id="question-pick-one-c0">' in page
    assert "OTHER_FEEDBACK_MARKER" in page
    assert 'data-state="incorrect"' in page
    assert 'value="Four hundred"' in page
    assert "TEXT_WRONG_MARKER" in page
    # Still nothing of what was not chosen.
    assert "RIGHT_FEEDBACK_MARKER" not in page
    assert "TEXT_RIGHT_MARKER" not in page


def test_answers_survive_a_content_reload(
    learner: User, lesson: Lesson, content_root: Path
) -> None:
    answer(logged_in(learner), "pick-one", {"choices": [0]})
    content_load(root=content_root)
    page = logged_in(learner).get(LESSON).content.decode()
    assert "RIGHT_FEEDBACK_MARKER" in page


BAD_ANSWERS = [
    ("pick-one", "not json", 400, "invalid_json"),
    ("pick-one", [0], 400, "invalid_json"),
    ("pick-one", {}, 400, "no_answer"),
    ("pick-one", {"choices": []}, 400, "no_answer"),
    ("pick-one", {"choices": [3]}, 400, "invalid_answer"),
    ("pick-one", {"choices": [-1]}, 400, "invalid_answer"),
    ("pick-one", {"choices": ["0"]}, 400, "invalid_answer"),
    ("pick-one", {"choices": [True]}, 400, "invalid_answer"),
    ("pick-one", {"choices": 0}, 400, "invalid_answer"),
    ("pick-some", {"choices": [0, 0]}, 400, "invalid_answer"),
    ("pick-one", {"choices": [0, 1]}, 400, "one_choice_only"),
    ("type-it", {"answer": 405}, 400, "invalid_answer"),
    ("type-it", {"answer": "   "}, 400, "no_answer"),
    ("type-it", {"answer": "x" * 201}, 400, "answer_too_long"),
    ("nope", {"choices": [0]}, 404, "unknown_question"),
]


@pytest.mark.parametrize(("question", "body", "status", "code"), BAD_ANSWERS)
def test_bad_input_is_refused_with_a_code_and_nothing_is_stored(
    learner: User, lesson: Lesson, question: str, body: Any, status: int, code: str
) -> None:
    client = logged_in(learner)
    if body == "not json":
        response = client.post(url(question), "{oops", content_type="application/json")
    else:
        response = answer(client, question, body)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert not QuestionAnswer.objects.exists()


def test_an_unknown_lesson_is_404(learner: User, lesson: Lesson) -> None:
    response = logged_in(learner).post(
        "/courses/demo/nope/questions/pick-one/", "{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_question"


def test_anonymous_visitors_must_log_in(lesson: Lesson) -> None:
    response = answer(Client(), "pick-one", {"choices": [0]})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_required"
    assert not QuestionAnswer.objects.exists()


def test_an_answer_needs_the_csrf_token(learner: User, lesson: Lesson) -> None:
    client = logged_in(learner, enforce_csrf_checks=True)
    assert answer(client, "pick-one", {"choices": [0]}).status_code == 403
    assert not QuestionAnswer.objects.exists()

    client.get(LESSON)
    token = client.cookies["csrftoken"].value
    response = client.post(
        url("pick-one"),
        json.dumps({"choices": [0]}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200


def test_only_post(learner: User, lesson: Lesson) -> None:
    assert logged_in(learner).get(url("pick-one")).status_code == 405


def test_another_learners_answers_are_invisible(
    learner: User, other_learner: User, lesson: Lesson
) -> None:
    answer(logged_in(learner), "pick-one", {"choices": [1]})
    answer(logged_in(learner), "type-it", {"answer": "SECRET_OF_LEARNER"})

    page = logged_in(other_learner).get(LESSON).content.decode()
    assert "WRONG_FEEDBACK_MARKER" not in page
    assert "SECRET_OF_LEARNER" not in page
    assert " checked" not in page
    assert 'data-state="unanswered"' in page and 'data-state="incorrect"' not in page

    first = answer(logged_in(other_learner), "pick-one", {"choices": [0]}).json()
    assert first["attempts"] == 1
    assert QuestionAnswer.objects.get(user=learner, question_id="pick-one").choices == [1]


def test_without_javascript_the_form_posts_and_comes_back(learner: User, lesson: Lesson) -> None:
    client = logged_in(learner)
    response = client.post(url("pick-some"), {"choice": ["0", "2"]})
    assert response.status_code == 302
    assert response["Location"] == f"{LESSON}#question-pick-some"
    row = QuestionAnswer.objects.get(user=learner, question_id="pick-some")
    assert (row.choices, row.correct) == ([0, 2], True)

    typed = client.post(url("type-it"), {"answer": "405"})
    assert typed.status_code == 302

    refused = client.post(url("pick-one"), {})
    assert refused.status_code == 400
    assert "Choose an answer first." in refused.content.decode()
    assert f'href="{LESSON}#question-pick-one"' in refused.content.decode()

    anonymous = Client().post(url("pick-one"), {"choice": "0"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=")


def test_progress_counts_answered_and_correct_questions(
    learner: User, other_learner: User, lesson: Lesson
) -> None:
    first = Lesson.objects.get(slug="first")
    lessons = [first, lesson]
    assert questions_answered_map(user=learner, lessons=lessons) == {
        lesson.pk: QuestionsCount(total=3, answered=0, correct=0)
    }
    client = logged_in(learner)
    answer(client, "pick-one", {"choices": [0]})
    answer(client, "type-it", {"answer": "404"})

    counts = questions_answered_map(user=learner, lessons=lessons)
    assert counts == {lesson.pk: QuestionsCount(total=3, answered=2, correct=1)}
    assert not counts[lesson.pk].all_correct

    answer(client, "pick-some", {"choices": [0, 2]})
    answer(client, "type-it", {"answer": "405"})
    assert questions_answered_map(user=learner, lessons=lessons)[lesson.pk].all_correct
    # Nothing for another learner, nor for anonymous visitors.
    assert questions_answered_map(user=other_learner, lessons=lessons)[lesson.pk].answered == 0
    assert questions_answered_map(user=None, lessons=lessons) == {}


def test_a_lesson_whose_questions_are_all_right_is_done_in_the_outline(
    learner: User, lesson: Lesson
) -> None:
    client = logged_in(learner)

    def second_lesson_status() -> str:
        outline = client.get("/courses/demo/").text
        found = re.search(r'data-lesson="second" data-status="(\w+)"', outline)
        assert found is not None
        return found.group(1)

    answer(client, "pick-one", {"choices": [0]})
    assert second_lesson_status() == "in_progress"
    answer(client, "pick-some", {"choices": [0, 2]})
    answer(client, "type-it", {"answer": "405"})
    assert second_lesson_status() == "done"
