"""What the history pages let a learner do besides reading: see the times in
their own time zone, load a past submission into the editor, and compare two
submissions; never with anyone else's."""

import html
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from grader.models import Submission
from grader.submission_diff import files_diff
from learning.models import Draft
from lessons.models import Exercise
from tests.grader.test_history import CODE, HISTORY, detail_url, graded
from tests.support.clients import logged_in

pytestmark = pytest.mark.django_db

LESSON = "/courses/python-backend/hello-flask/"
COMPARE = f"{HISTORY}compare/"
# 09:30 UTC in winter: 10:30 in Paris (CET), 04:30 in New York (EST).
WHEN = datetime(2026, 1, 15, 9, 30, 5, tzinfo=UTC)


def at(submission: Submission, moment: datetime) -> Submission:
    Submission.objects.filter(pk=submission.pk).update(created_at=moment)
    submission.refresh_from_db()
    return submission


def compare(old: Submission | str, new: Submission | str) -> str:
    old_id = old.id if isinstance(old, Submission) else old
    new_id = new.id if isinstance(new, Submission) else new
    return f"{COMPARE}?old={old_id}&new={new_id}"


def shown_text(response: object) -> str:
    """The page as read: tags out, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))  # type: ignore[attr-defined]


# --- Times in the learner's time zone -----------------------------------------------


def history_as(learner: User, cookie: str | None) -> str:
    client = logged_in(learner)
    if cookie is not None:
        client.cookies["lectern_tz"] = cookie
    response = client.get(HISTORY)
    assert response.status_code == 200
    return response.content.decode()


def test_with_the_time_zone_cookie_times_are_local(learner: User, flask_exercise: Exercise) -> None:
    submission = at(graded(learner, flask_exercise), WHEN)

    page = history_as(learner, "Europe/Paris")

    assert "Time (Europe/Paris)" in page
    assert ">2026-01-15 10:30:05</time>" in page
    assert 'datetime="2026-01-15T10:30:05+01:00"' in page
    detail = logged_in_with_zone(learner, "America/New_York").get(detail_url(submission))
    assert "Time (America/New_York)" in detail.text
    assert ">2026-01-15 04:30:05 EST</time>" in detail.text


def logged_in_with_zone(learner: User, zone: str) -> Client:
    client = logged_in(learner)
    client.cookies["lectern_tz"] = zone
    return client


@pytest.mark.parametrize(
    "cookie",
    [
        None,
        "",
        "Not/AZone",
        "../../../../etc/passwd",
        "/etc/localtime",
        "Europe/Paris\x00",
        "<script>alert(1)</script>",
        "x" * 5000,
    ],
)
def test_without_a_valid_zone_times_stay_in_utc(
    learner: User, flask_exercise: Exercise, cookie: str | None
) -> None:
    at(graded(learner, flask_exercise), WHEN)

    page = history_as(learner, cookie)

    assert "Time (UTC)" in page
    assert ">2026-01-15 09:30:05</time>" in page
    assert "<script>alert(1)" not in page


def test_before_the_browser_sent_its_zone_the_page_says_times_are_utc(
    learner: User, flask_exercise: Exercise
) -> None:
    graded(learner, flask_exercise)

    assert "until your browser has told the site its own time zone" in history_as(learner, None)
    assert "until your browser" not in history_as(learner, "Asia/Tokyo")


def test_one_request_zone_does_not_leak_into_the_next(
    learner: User, flask_exercise: Exercise
) -> None:
    at(graded(learner, flask_exercise), WHEN)

    assert "Time (Asia/Tokyo)" in history_as(learner, "Asia/Tokyo")
    assert "Time (UTC)" in history_as(learner, None)


def test_every_page_loads_the_script_that_sends_the_zone(client: Client) -> None:
    page = client.get("/").content.decode()

    assert '<script src="/static/js/site.js" defer></script>' in page


# --- Load a past submission into the editor ----------------------------------------


def load_url(submission: Submission) -> str:
    return f"{detail_url(submission)}load/"


def test_loading_a_submission_makes_it_the_draft_and_opens_the_exercise(
    learner: User, flask_exercise: Exercise
) -> None:
    old_code = CODE + "# the first try\n"
    submission = graded(learner, flask_exercise, files={"app.py": old_code}, minutes_ago=5)
    graded(learner, flask_exercise)  # a newer one: the old one is still what is loaded
    Draft.objects.create(user=learner, exercise=flask_exercise, files={"app.py": "# typed"})
    client = logged_in(learner, enforce_csrf_checks=True)
    page = client.get(detail_url(submission))
    assert "Load this code into the editor" in page.text
    token = client.cookies["csrftoken"].value  # set by the page's form

    response = client.post(load_url(submission), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response["Location"] == f"{LESSON}#exercise-flask-hello-world"
    assert Draft.objects.get(user=learner, exercise=flask_exercise).files == {"app.py": old_code}
    # The lesson page's widget then restores it from the draft endpoint.
    restored = client.get("/exercises/flask-hello-world/draft/")
    assert restored.json()["files"] == {"app.py": old_code}


def test_loading_needs_the_csrf_token_and_a_post(learner: User, flask_exercise: Exercise) -> None:
    submission = graded(learner, flask_exercise)
    client = logged_in(learner, enforce_csrf_checks=True)

    assert client.post(load_url(submission)).status_code == 403
    assert logged_in(learner).get(load_url(submission)).status_code == 405
    assert not Draft.objects.exists()


@pytest.mark.parametrize("who", ["other_learner", "instructor"])
def test_nobody_else_can_load_a_submission(
    request: pytest.FixtureRequest, who: str, learner: User, flask_exercise: Exercise
) -> None:
    submission = graded(learner, flask_exercise)

    response = logged_in(request.getfixturevalue(who)).post(load_url(submission))

    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_to_load(
    client: Client, learner: User, flask_exercise: Exercise
) -> None:
    submission = graded(learner, flask_exercise)

    response = client.post(load_url(submission))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Draft.objects.exists()


def test_a_submission_is_loaded_only_under_its_own_exercise(
    learner: User, flask_exercise: Exercise
) -> None:
    submission = graded(learner, flask_exercise)
    other = Exercise.objects.exclude(pk=flask_exercise.pk).filter(lesson__isnull=False).first()
    assert other is not None

    response = logged_in(learner).post(f"/exercises/{other.slug}/history/{submission.id}/load/")

    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_an_exercise_no_longer_offered_cannot_be_loaded_and_says_so(
    learner: User, flask_exercise: Exercise
) -> None:
    submission = graded(learner, flask_exercise)
    Exercise.objects.filter(pk=flask_exercise.pk).update(lesson=None)
    client = logged_in(learner)

    detail = client.get(detail_url(submission))
    assert detail.status_code == 200
    assert "Load this code into the editor" not in detail.text
    assert "no longer part of any lesson" in detail.text
    assert "MY_CODE_MARKER" in html.unescape(detail.text)  # still readable

    response = client.post(load_url(submission))
    assert response.status_code == 409
    assert "no longer part of any lesson" in response.text
    assert not Draft.objects.exists()


def test_files_the_exercise_no_longer_accepts_are_refused_in_words(
    learner: User, flask_exercise: Exercise
) -> None:
    submission = graded(learner, flask_exercise, files={"app.py": CODE, "gone.py": "x = 1\n"})

    response = logged_in(learner).post(load_url(submission))

    assert response.status_code == 400
    assert "cannot be loaded into the editor" in response.text
    assert "gone.py" in response.text
    assert not Draft.objects.exists()


# --- Compare two submissions -------------------------------------------------------

BEFORE = (
    'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/")\n'
    'def index():\n    return "hi"\n'
)
AFTER = (
    'from flask import Flask, jsonify\n\napp = Flask(__name__)\n\n\n@app.route("/")\n'
    'def index():\n    return "hi"\n\n\n@app.route("/hello")\ndef hello():\n'
    '    return jsonify(message="Hello, World!")\n'
)


def test_the_diff_of_two_submissions_marks_each_line_by_sign_and_words(
    learner: User, flask_exercise: Exercise
) -> None:
    old = graded(learner, flask_exercise, files={"app.py": BEFORE}, minutes_ago=10)
    new = graded(
        learner, flask_exercise, files={"app.py": AFTER, "notes.py": "# new\n"}, verdict="passed"
    )

    response = logged_in(learner).get(compare(old, new))

    assert response.status_code == 200
    page = response.content.decode()
    text = shown_text(response)
    assert "app.py: 6 lines added, 1 removed" in " ".join(text.split())
    assert "notes.py: only after, 1 line" in " ".join(text.split())
    removed = re.findall(r'<tr class="diff__line diff__line--removed"[^>]*>(.*?)</tr>', page, re.S)
    added = re.findall(r'<tr class="diff__line diff__line--added"[^>]*>(.*?)</tr>', page, re.S)
    assert len(removed) == 1 and len(added) == 6 + 1  # app.py, then notes.py
    # The sign (seen) and the kind in words (heard), not the colour alone.
    assert (
        '<span aria-hidden="true">-</span><span class="visually-hidden">removed</span>'
        in removed[0]
    )
    assert "from flask import Flask</code>" in removed[0]
    assert '<span aria-hidden="true">+</span><span class="visually-hidden">added</span>' in added[0]
    assert "from flask import Flask, jsonify</code>" in added[0]
    assert "Lines 1 to 4 before, 1 to 4 after" in text
    assert "Lines 6 to 8 before, 6 to 13 after" in text
    # The unified diff, for copying.
    assert "-from flask import Flask\n+from flask import Flask, jsonify" in text
    assert "Before" in text and "After" in text


def test_learner_code_in_a_diff_is_text_never_markup(
    learner: User, flask_exercise: Exercise
) -> None:
    old = graded(learner, flask_exercise, minutes_ago=1)
    new = graded(learner, flask_exercise, files={"app.py": CODE + "<script>alert(1)</script>\n"})

    page = logged_in(learner).get(compare(old, new)).content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_identical_files_say_no_changes(learner: User, flask_exercise: Exercise) -> None:
    old = graded(learner, flask_exercise, minutes_ago=1)
    new = graded(learner, flask_exercise)

    response = logged_in(learner).get(compare(old, new))

    assert response.status_code == 200
    assert "app.py: no changes" in " ".join(shown_text(response).split())
    assert "diff__line" not in response.content.decode()


def test_another_learners_submission_cannot_be_compared(
    learner: User, other_learner: User, flask_exercise: Exercise
) -> None:
    mine = graded(learner, flask_exercise)
    theirs = graded(other_learner, flask_exercise, files={"app.py": "THEIR_SECRET = 1\n"})

    for url in (compare(mine, theirs), compare(theirs, mine)):
        response = logged_in(learner).get(url)
        assert response.status_code == 404
        assert "Only your own submissions of this exercise can be compared." in response.text
        assert "THEIR_SECRET" not in response.text


def test_a_submission_of_another_exercise_cannot_be_compared(
    learner: User, flask_exercise: Exercise
) -> None:
    other = Exercise.objects.exclude(pk=flask_exercise.pk).first()
    assert other is not None
    mine = graded(learner, flask_exercise)
    elsewhere = graded(learner, other)

    response = logged_in(learner).get(compare(mine, elsewhere))

    assert response.status_code == 404
    assert "Only your own submissions of this exercise can be compared." in response.text


@pytest.mark.parametrize(
    "query", ["", "?old=&new=", "?old=nope&new=nope", "?new=00000000-0000-4000-8000-000000000000"]
)
def test_a_compare_without_two_submissions_is_a_400_in_words(
    learner: User, flask_exercise: Exercise, query: str
) -> None:
    response = logged_in(learner).get(f"{COMPARE}{query}")

    assert response.status_code == 400
    assert "Pick two submissions to compare" in response.text


def test_comparing_a_submission_with_itself_is_refused(
    learner: User, flask_exercise: Exercise
) -> None:
    submission = graded(learner, flask_exercise)

    response = logged_in(learner).get(compare(submission, submission))

    assert response.status_code == 400
    assert "Pick two different submissions" in response.text


def test_anonymous_visitors_are_sent_to_log_in_to_compare(client: Client) -> None:
    response = client.get(f"{COMPARE}?old=a&new=b")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_history_offers_to_compare_the_two_newest_by_default(
    learner: User, flask_exercise: Exercise
) -> None:
    oldest = graded(learner, flask_exercise, minutes_ago=10)
    older = graded(learner, flask_exercise, minutes_ago=5)
    newest = graded(learner, flask_exercise)

    page = logged_in(learner).get(HISTORY).content.decode()

    assert f'action="{COMPARE}"' in page and 'method="get"' in page
    assert re.search(rf'name="new" value="{newest.id}"[^>]* checked', page)
    assert re.search(rf'name="old" value="{older.id}"[^>]* checked', page)
    assert not re.search(rf'value="{oldest.id}"[^>]* checked', page)
    assert ">Compare</button>" in page


def test_a_single_submission_offers_nothing_to_compare(
    learner: User, flask_exercise: Exercise
) -> None:
    graded(learner, flask_exercise)

    page = logged_in(learner).get(HISTORY).content.decode()

    assert ">Compare</button>" not in page
    assert 'type="radio"' not in page


def test_each_detail_page_links_to_the_diff_with_the_previous_submission(
    learner: User, other_learner: User, flask_exercise: Exercise
) -> None:
    first = graded(learner, flask_exercise, minutes_ago=10)
    graded(other_learner, flask_exercise, minutes_ago=5)  # not the learner's: skipped
    second = graded(learner, flask_exercise)
    client = logged_in(learner)

    page = client.get(detail_url(second)).content.decode()
    link = f'href="{COMPARE}?old={first.id}&amp;new={second.id}"'
    assert f"{link}>Compare with the previous submission</a>" in page
    assert client.get(html.unescape(link[6:-1])).status_code == 200

    first_page = client.get(detail_url(first)).content.decode()
    assert "Compare with the previous submission" not in first_page
    assert "This is your first submission of this exercise" in first_page


def test_files_diff_marks_files_only_on_one_side() -> None:
    diffs = {
        d.name: d
        for d in files_diff(old={"a.py": "x\n", "b.py": "y\n"}, new={"b.py": "y\n", "c.py": "z\n"})
    }

    assert {name: d.change for name, d in diffs.items()} == {
        "a.py": "removed",
        "b.py": "unchanged",
        "c.py": "added",
    }
    assert (diffs["a.py"].removed, diffs["c.py"].added) == (1, 1)
    assert diffs["b.py"].hunks == []
