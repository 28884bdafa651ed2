"""Check-yourself questions in a real browser against a real server: a learner
answers a multiple-choice question wrong, reads why, answers it right, does
the same with a short answer, and after a reload finds the last answers and
their feedback again. Every step waits on the page's own state, never a sleep.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect

from learning.models import QuestionAnswer
from lessons.models import Exercise
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.live_server import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSON = "/courses/python-backend/request-response-cycle/"


def shot(target: Page | Locator, name: str) -> None:
    path: Path = SCREENSHOTS / f"{name}.png"
    if isinstance(target, Page):
        target.screenshot(path=path, full_page=True)
    else:
        target.screenshot(path=path)


def test_answer_wrong_then_right_and_see_it_again_after_a_reload(
    page: Page, live_site: Site, learner: User, flask_exercise: Exercise
) -> None:
    # An anonymous visitor sees the question and is asked to log in to check it.
    page.goto(LESSON)
    question = page.locator("#question-delete-twice")
    expect(question.get_by_role("link", name="Log in")).to_be_visible()
    expect(question.get_by_role("button", name="Check answer")).to_have_count(0)
    # The key is not in the page: no feedback, no mark of the right choice.
    assert "is idempotent. Sending it twice" not in page.content()

    log_in(page, live_site, learner)
    page.goto(LESSON)
    # The choices are a group named by the prompt (fieldset and legend).
    question = page.get_by_role("group", name="A client sends DELETE /products/7")
    expect(question).to_be_visible()
    form = page.locator("#question-delete-twice")
    feedback = form.get_by_role("status")
    expect(feedback).to_be_empty()
    form.scroll_into_view_if_needed()
    shot(form, "questions-01-unanswered")

    # Wrong: the verdict and why, for the choice made, in the live region.
    question.get_by_label("It removes the next product in the list").check()
    form.get_by_role("button", name="Check answer").click()
    expect(feedback).to_contain_text("Not quite.")
    expect(feedback).to_contain_text("the request names one resource")
    expect(feedback).not_to_contain_text("is idempotent")
    expect(form).to_have_attribute("data-state", "incorrect")
    shot(form, "questions-02-wrong")

    # Right, on a second try.
    question.get_by_label("Nothing more; product 7 was removed").check()
    form.get_by_role("button", name="Check answer").click()
    expect(feedback).to_contain_text("Correct.")
    expect(feedback).to_contain_text("is idempotent")
    expect(feedback).to_contain_text("2 answers so far")
    expect(form).to_have_attribute("data-state", "correct")
    shot(form, "questions-03-right")

    # A short answer: wrong, then right in other words.
    short = page.locator("#question-wrong-method")
    box = short.get_by_label("Your answer")
    box.fill("404")
    box.press("Enter")
    short_feedback = short.get_by_role("status")
    expect(short_feedback).to_contain_text("Not quite.")
    expect(short_feedback).to_contain_text("You answered: “404”")
    box.fill("405 Method Not Allowed")
    short.get_by_role("button", name="Check answer").click()
    expect(short_feedback).to_contain_text("Correct.")
    shot(short, "questions-04-short-answer")

    # Nothing sent that the page cannot take: a question without a choice.
    tls = page.locator("#question-who-decrypts-tls")
    tls.get_by_role("button", name="Check answer").click()
    expect(tls.get_by_role("status")).to_contain_text("Choose an answer first.")

    # After a reload the server shows the last answers and their feedback.
    page.reload()
    form = page.locator("#question-delete-twice")
    expect(form.get_by_label("Nothing more; product 7 was removed")).to_be_checked()
    expect(form.get_by_role("status")).to_contain_text("Correct.")
    expect(form.get_by_role("status")).to_contain_text("is idempotent")
    expect(page.locator("#question-wrong-method").get_by_label("Your answer")).to_have_value(
        "405 Method Not Allowed"
    )
    form.scroll_into_view_if_needed()
    shot(page.locator("#question-delete-twice"), "questions-05-after-reload")
    shot(page, "questions-06-lesson")

    row = QuestionAnswer.objects.get(user=learner, question_id="delete-twice")
    assert (row.choices, row.correct, row.attempts) == ([0], True, 2)
    assert not QuestionAnswer.objects.filter(question_id="who-decrypts-tls").exists()
