"""The gradebook of a class (page, CSV), a learner's submissions as the class's
instructors read them, and scores set by hand (teaching/gradebook*.py).

Scores come from submissions graded for real in the sandbox; the tests that
need none (permissions, sorting by scores set by hand, the query count) do
without it."""

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classes.models import ScoreOverride
from classes.services import (
    classroom_join,
    deadline_set,
    extension_grant,
    score_override_set,
)
from grader.models import Submission
from grader.services import grade_submission, submission_create
from learning.models import ExerciseProgress
from teaching.gradebook import gradebook_get
from tests.support.classes import ClassWorld
from tests.support.clients import logged_in

# The demo exercise `demo-add`: test_add (visible), test_add_negative and
# test_add_zero (hidden).
FULL = {"calc.py": "def add(a, b):\n    return a + b  # FULL_MARKER\n"}
# Passes test_add and test_add_zero, fails test_add_negative.
NO_NEGATIVES = {"calc.py": "def add(a, b):\n    return abs(a) + abs(b)  # PARTIAL_MARKER\n"}
NOTHING = {"calc.py": "def add(a, b):\n    return 0\n"}
# Its points: test_add 2, test_add_negative 3, test_add_zero 1.
MAX = 6.0


def graded(
    world: ClassWorld,
    user: User,
    files: dict[str, str],
    *,
    days_ago: float = 0,
    **options: Any,
) -> Submission:
    """A submission of demo-add graded in the sandbox, sent `days_ago` days ago."""
    submission = submission_create(exercise=world.exercise, files=files, user=user, **options)
    assert grade_submission(submission.id)
    if days_ago:
        sent = timezone.now() - timedelta(days=days_ago)
        Submission.objects.filter(pk=submission.pk).update(created_at=sent)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.COMPLETED
    return submission


def learner_join(world: ClassWorld, username: str, **fields: str) -> User:
    user = User.objects.create_user(username, fields.pop("email", f"{username}@example.com"))
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    classroom_join(user=user, code=world.classroom.join_code)
    return user


def gradebook_url(world: ClassWorld, **query: str) -> str:
    url = reverse("teaching:gradebook", args=[world.classroom.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def csv_rows(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def learner_exercise_url(world: ClassWorld, user: User) -> str:
    return reverse(
        "teaching:learner_exercise", args=[world.classroom.pk, user.pk, world.exercise.slug]
    )


def override_url(world: ClassWorld, user: User) -> str:
    return reverse(
        "teaching:score_override", args=[world.classroom.pk, user.pk, world.exercise.slug]
    )


# --- the gradebook against real grading -----------------------------------------------


@pytest.mark.docker
@pytest.mark.django_db(transaction=True)
def test_the_gradebook_shows_each_learners_best_score_attempts_and_totals(
    class_world: ClassWorld,
) -> None:
    world = class_world
    mia = learner_join(world, "mia", first_name="Mia", last_name="Berg")
    graded(world, world.class_learner, NOTHING)
    full = graded(world, world.class_learner, FULL)
    graded(world, world.class_learner, NO_NEGATIVES)
    partial = graded(world, mia, NO_NEGATIVES)
    graded(world, world.other_learner, FULL)  # leo: the other class

    book = gradebook_get(classroom=world.classroom)

    assert [column.exercise.slug for column in book.columns] == ["demo-add"]
    assert [group.module.slug for group in book.groups] == ["basics"]
    assert [row.learner.username for row in book.rows] == ["lea", "mia"]
    lea, mia_row = book.rows
    cell = lea.cells[0]
    assert cell.graded_score == cell.score == full.score == world.exercise.max_score == MAX
    assert (cell.attempts, cell.passed, cell.past_due, cell.overridden) == (3, True, False, False)
    assert (lea.total, lea.max_total, lea.passed, lea.progress) == (MAX, MAX, 1, 1.0)
    assert lea.last_activity is not None
    assert partial.score is not None and 0 < partial.score < MAX
    assert mia_row.cells[0].score == partial.score
    assert (mia_row.cells[0].passed, mia_row.progress) == (False, 0.0)
    # Median progress of 1 and 0 is 0.5: mia, below it, is behind.
    assert (lea.behind, mia_row.behind) == (False, True)

    page = logged_in(world.class_instructor).get(gradebook_url(world))

    assert page.status_code == 200
    text = page.text
    assert "Mia Berg" in text and "leo" not in text
    assert 'data-learner="lea"' in text and 'data-learner="mia"' in text
    assert "6&nbsp;/&nbsp;6" in text and "3 attempts" in text and "1 attempt<" in text
    assert "passed</span>" in text
    assert learner_exercise_url(world, world.class_learner) in text
    assert reverse("teaching:gradebook_csv", args=[world.classroom.pk]) in text

    response = logged_in(world.class_instructor).get(
        reverse("teaching:gradebook_csv", args=[world.classroom.pk])
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = csv_rows(response)
    assert rows[0] == ["username", "email", "total", "max", "progress %", "demo-add"]
    assert rows[1] == ["lea", "lea@example.com", "6", "6", "100", "6"]
    assert rows[2] == [
        "mia",
        "mia@example.com",
        f"{partial.score:g}",
        "6",
        "0",
        f"{partial.score:g}",
    ]


@pytest.mark.docker
@pytest.mark.django_db(transaction=True)
def test_best_before_the_due_date_leaves_out_what_was_sent_after_it(
    class_world: ClassWorld,
) -> None:
    world = class_world
    partial = graded(world, world.class_learner, NO_NEGATIVES, days_ago=3)
    graded(world, world.class_learner, FULL, days_ago=1)
    deadline_set(
        classroom=world.classroom,
        due_at=timezone.now() - timedelta(days=2),
        exercise_slug=world.exercise.slug,
    )

    overall = gradebook_get(classroom=world.classroom).rows[0].cells[0]
    before = gradebook_get(classroom=world.classroom, before_due=True).rows[0]

    assert (overall.score, overall.passed, overall.past_due) == (MAX, True, False)
    cell = before.cells[0]
    assert (cell.score, cell.passed, cell.past_due) == (partial.score, False, True)
    assert before.behind  # missed a due date without passing
    # Attempts are the learner's, whatever the due date.
    assert cell.attempts == 2

    page = logged_in(world.class_instructor).get(gradebook_url(world, before_due="1"))
    assert "past due" in page.text and "gradebook__cell--late" in page.text
    assert 'value="1" checked' in page.text

    # An extension to after the late submission: it counts again.
    extension_grant(
        classroom=world.classroom,
        user_id=world.class_learner.pk,
        due_at=timezone.now() - timedelta(hours=1),
        granted_by=world.class_instructor,
        exercise_slug=world.exercise.slug,
    )
    extended = gradebook_get(classroom=world.classroom, before_due=True).rows[0].cells[0]
    assert (extended.score, extended.passed, extended.past_due) == (MAX, True, False)

    # A due date still to come: nothing is past due, everything so far counts.
    deadline_set(
        classroom=world.classroom,
        due_at=timezone.now() + timedelta(days=7),
        exercise_slug=world.exercise.slug,
    )
    upcoming = gradebook_get(classroom=world.classroom, before_due=True).rows[0].cells[0]
    assert (upcoming.score, upcoming.past_due) == (MAX, False)


@pytest.mark.docker
@pytest.mark.django_db(transaction=True)
def test_a_score_set_by_hand_replaces_the_graded_one_which_stays_beside_it(
    class_world: ClassWorld,
) -> None:
    world = class_world
    partial = graded(world, world.class_learner, NO_NEGATIVES)
    ines = logged_in(world.class_instructor)

    first = ines.post(
        override_url(world, world.class_learner), {"score": "4", "reason": "Late start."}
    )
    assert first.status_code == 302
    assert first["Location"] == learner_exercise_url(world, world.class_learner)
    ines.post(override_url(world, world.class_learner), {"score": "4.5", "reason": "Oral exam  "})

    cell = gradebook_get(classroom=world.classroom).rows[0].cells[0]
    assert (cell.score, cell.graded_score, cell.overridden) == (4.5, partial.score, True)
    assert gradebook_get(classroom=world.classroom).rows[0].total == 4.5
    assert cell.override is not None and cell.override.set_by == world.class_instructor

    text = ines.get(gradebook_url(world)).text
    assert "4.50&nbsp;/&nbsp;6" in text and "set by hand" in text
    assert f"graded: {partial.score:g}" in text
    rows = csv_rows(ines.get(reverse("teaching:gradebook_csv", args=[world.classroom.pk])))
    assert rows[1][2] == rows[1][5] == "4.5"

    page = ines.get(learner_exercise_url(world, world.class_learner)).text
    # Both overrides, newest first, the newest marked as the one that counts.
    assert page.index("Oral exam") < page.index("Late start.")
    assert page.count('data-current="true"') == 1
    assert ScoreOverride.objects.count() == 2

    # A full score set by hand passes the exercise.
    score_override_set(
        classroom=world.classroom,
        user_id=world.class_learner.pk,
        exercise=world.exercise,
        score=MAX,
        reason="Fixed by hand in class.",
        set_by=world.class_instructor,
    )
    assert gradebook_get(classroom=world.classroom).rows[0].cells[0].passed


@pytest.mark.docker
@pytest.mark.django_db(transaction=True)
def test_an_instructor_reads_a_learners_code_results_and_changes(
    class_world: ClassWorld,
) -> None:
    world = class_world
    lea, ines = world.class_learner, world.class_instructor
    run = graded(world, lea, NOTHING, mode=Submission.Mode.RUN, days_ago=0.3)
    partial = graded(world, lea, NO_NEGATIVES, days_ago=0.2)
    on_behalf = graded(
        world, lea, FULL, days_ago=0.1, submitted_by=ines, source=Submission.Source.API
    )
    regrade = submission_create(
        exercise=world.exercise,
        files=partial.files,
        user=lea,
        source=Submission.Source.REGRADE,
        submitted_by=ines,
    )
    Submission.objects.filter(pk=regrade.pk).update(regrade_of=partial)
    assert grade_submission(regrade.id)
    client = logged_in(ines)
    url = learner_exercise_url(world, lea)

    listing = client.get(url)

    assert listing.status_code == 200
    text = listing.text
    for submission in (run, partial, on_behalf, regrade):
        assert f"{url}?submission={submission.id}" in text
    assert "<td>Run</td>" in text
    assert "sent by ines" in text and ">Regraded</span>" in text
    assert "FULL_MARKER" not in text  # the code is on each submission's own view

    detail = client.get(f"{url}?submission={partial.id}")
    assert detail.status_code == 200
    assert "PARTIAL_MARKER" in detail.text and "Their code" in detail.text
    assert "test_add_negative" in detail.text
    assert f"?old={run.id}&amp;new={partial.id}" in detail.text  # compare with the previous
    behalf = client.get(f"{url}?submission={on_behalf.id}").text
    assert "ines, on the learner's behalf" in behalf

    changes = client.get(f"{url}?old={partial.id}&new={on_behalf.id}")
    assert changes.status_code == 200
    assert 'data-kind="removed"' in changes.text and 'data-kind="added"' in changes.text
    assert "FULL_MARKER" in changes.text and "PARTIAL_MARKER" in changes.text

    # The learner's own history still shows only theirs, and who sent one for them.
    own = logged_in(lea).get(f"/exercises/{world.exercise.slug}/history/")
    assert own.status_code == 200 and "sent by ines" in own.text
    theirs = logged_in(world.other_learner).get(f"/exercises/{world.exercise.slug}/history/")
    assert str(partial.id) not in theirs.text
    # Another learner's submission, or one of another exercise, is not shown here.
    leos = graded(world, world.other_learner, FULL)
    assert client.get(f"{url}?submission={leos.id}").status_code == 404
    assert client.get(f"{url}?old={partial.id}&new={leos.id}").status_code == 404
    assert client.get(f"{url}?old={partial.id}&new={partial.id}").status_code == 400


# --- without grading ------------------------------------------------------------------


@pytest.mark.django_db
def test_sorting_by_name_total_progress_and_an_exercise(class_world: ClassWorld) -> None:
    world = class_world
    for name in ("zoe", "bob"):
        learner_join(world, name)
    scores = {"lea": 2.0, "zoe": MAX, "bob": 3.5}
    for user in User.objects.filter(username__in=scores):
        score_override_set(
            classroom=world.classroom,
            user_id=user.pk,
            exercise=world.exercise,
            score=scores[user.username],
            reason="Marked on paper.",
            set_by=world.class_instructor,
        )

    def order(sort: str) -> list[str]:
        return [
            row.learner.username for row in gradebook_get(classroom=world.classroom, sort=sort).rows
        ]

    assert order("name") == ["bob", "lea", "zoe"]
    assert order("-name") == ["zoe", "lea", "bob"]
    assert order("total") == ["lea", "bob", "zoe"]
    assert order("-total") == ["zoe", "bob", "lea"]
    assert order("-exercise:demo-add") == ["zoe", "bob", "lea"]
    # Only zoe passed (a full score): first by progress, descending.
    assert order("-progress")[0] == "zoe"
    assert order("exercise:no-such-exercise") == order("name")
    assert gradebook_get(classroom=world.classroom, sort="bogus").sort == "name"

    page = logged_in(world.class_instructor).get(gradebook_url(world, sort="-total")).text
    assert page.index('data-learner="zoe"') < page.index('data-learner="lea"')
    assert 'aria-sort="descending"><a href="?sort=total"' in page
    # The other headers keep the filters and sort by themselves.
    filtered = logged_in(world.class_instructor).get(gradebook_url(world, module="basics")).text
    assert "?module=basics&amp;sort=-total" in filtered


@pytest.mark.django_db
def test_filters_by_module_and_behind(class_world: ClassWorld) -> None:
    world = class_world
    mia = learner_join(world, "mia")
    score_override_set(
        classroom=world.classroom,
        user_id=world.class_learner.pk,
        exercise=world.exercise,
        score=MAX,
        reason="Done.",
        set_by=world.class_instructor,
    )

    book = gradebook_get(classroom=world.classroom, module_slug="basics")
    assert [column.exercise.slug for column in book.columns] == ["demo-add"]
    assert book.module_slug == "basics"
    # A module without exercises has no columns; an unknown one is left out.
    assert [module.slug for module in book.modules] == ["basics"]
    assert gradebook_get(classroom=world.classroom, module_slug="nope").module_slug is None

    behind = gradebook_get(classroom=world.classroom, behind_only=True)
    assert [row.learner for row in behind.rows] == [mia]
    assert behind.learner_count == 2

    ines = logged_in(world.class_instructor)
    page = ines.get(gradebook_url(world, behind="1", module="basics")).text
    assert 'data-learner="mia"' in page and 'data-learner="lea"' not in page
    assert '<option value="basics" selected>' in page
    csv_url = reverse("teaching:gradebook_csv", args=[world.classroom.pk])
    assert f"{csv_url}?behind=1&amp;module=basics" in page
    rows = csv_rows(ines.get(f"{csv_url}?behind=1&module=basics"))
    assert [row[0] for row in rows[1:]] == ["mia"]


@pytest.mark.django_db
def test_the_csv_neutralises_cells_a_spreadsheet_would_run(class_world: ClassWorld) -> None:
    world = class_world
    for username in ('=HYPERLINK("http://evil.example","x")', "+cmd", "@SUM(A1)"):
        learner_join(world, username, email="-2+3@example.com")
    learner_join(world, "\tTAB", email="ok@example.com")

    response = logged_in(world.class_instructor).get(
        reverse("teaching:gradebook_csv", args=[world.classroom.pk])
    )

    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(response)
    cells = [cell for row in rows[1:] for cell in row[:2]]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert {"'+cmd", "'@SUM(A1)", "'\tTAB", "'-2+3@example.com", "lea"} <= set(cells)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


@pytest.mark.django_db
def test_a_refused_score_shows_the_page_again_with_what_to_fix(class_world: ClassWorld) -> None:
    world = class_world
    ines = logged_in(world.class_instructor)
    url = override_url(world, world.class_learner)

    too_high = ines.post(url, {"score": "7", "reason": "Bonus"})
    assert too_high.status_code == 400
    assert "between 0 and 6" in too_high.text
    no_reason = ines.post(url, {"score": "3", "reason": "   "})
    assert no_reason.status_code == 400
    assert "This field is required" in no_reason.text or "Say why" in no_reason.text
    assert ines.get(url).status_code == 405
    assert not ScoreOverride.objects.exists()

    done = ines.post(url, {"score": "3", "reason": "Oral exam."}, follow=True)
    assert done.status_code == 200
    assert "score for “Add two numbers” is now 3 of 6" in done.text


@pytest.mark.django_db
def test_the_gradebook_makes_the_same_few_queries_for_any_class_size(
    class_world: ClassWorld, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    world = class_world
    deadline_set(
        classroom=world.classroom,
        due_at=timezone.now() - timedelta(days=1),
        module_slug="basics",
    )

    def grow(count: int) -> None:
        for number in range(count):
            user = learner_join(world, f"learner{User.objects.count()}-{number}")
            # Rows as grading leaves them (the query count is the point here).
            Submission.objects.create(
                exercise=world.exercise,
                user=user,
                files=FULL,
                status=Submission.Status.COMPLETED,
                score=3,
                max_score=5,
                result_status="fail",
            )
            ExerciseProgress.objects.create(
                user=user, exercise=world.exercise, attempts=1, best_score=3, max_score=5
            )
            score_override_set(
                classroom=world.classroom,
                user_id=user.pk,
                exercise=world.exercise,
                score=4,
                reason="By hand.",
                set_by=world.class_instructor,
            )
            extension_grant(
                classroom=world.classroom,
                user_id=user.pk,
                due_at=timezone.now(),
                granted_by=world.class_instructor,
                exercise_slug=world.exercise.slug,
            )

    ines = logged_in(world.class_instructor)
    grow(2)
    with django_assert_max_num_queries(8):
        small = gradebook_get(classroom=world.classroom)
    grow(20)
    with django_assert_max_num_queries(8):
        large = gradebook_get(classroom=world.classroom)
    assert (len(small.rows), len(large.rows)) == (3, 23)
    # The page and the CSV add only the session's and the user's queries.
    with django_assert_max_num_queries(12):
        assert ines.get(gradebook_url(world)).status_code == 200
    with django_assert_max_num_queries(12):
        csv_url = reverse("teaching:gradebook_csv", args=[world.classroom.pk])
        assert ines.get(csv_url).status_code == 200


# --- who may see it ---------------------------------------------------------------------


def _urls(world: ClassWorld) -> dict[str, str]:
    return {
        "gradebook": reverse("teaching:gradebook", args=[world.classroom.pk]),
        "csv": reverse("teaching:gradebook_csv", args=[world.classroom.pk]),
        "learner_exercise": learner_exercise_url(world, world.class_learner),
    }


PAGES = ["gradebook", "csv", "learner_exercise", "score_override"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("class_instructor", 200),
        ("other_instructor", 404),
        ("class_learner", 404),
        ("other_learner", 404),
    ],
)
def test_only_the_classs_instructors_see_its_pages(
    class_world: ClassWorld, page: str, who: str, status: int
) -> None:
    world = class_world
    client = logged_in(world.users[who])
    if page == "score_override":
        response = client.post(
            override_url(world, world.class_learner), {"score": "1", "reason": "Checked."}
        )
        assert response.status_code == (302 if status == 200 else 404)
        assert ScoreOverride.objects.exists() == (status == 200)
        return
    response = client.get(_urls(world)[page])
    assert response.status_code == status
    if status == 404:
        assert "lea@example.com" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(class_world: ClassWorld, page: str) -> None:
    world = class_world
    if page == "score_override":
        response = Client().post(override_url(world, world.class_learner), {"score": "1"})
    else:
        response = Client().get(_urls(world)[page])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_a_learner_of_another_class_is_not_found_through_this_one(
    class_world: ClassWorld,
) -> None:
    """ines teaches leo too, in the Evening group: not through the Autumn group."""
    world = class_world
    ines = logged_in(world.class_instructor)
    assert ines.get(learner_exercise_url(world, world.other_learner)).status_code == 404
    assert (
        ines.post(override_url(world, world.other_learner), {"score": "1", "reason": "x"})
    ).status_code == 404
    other_course_exercise = reverse(
        "teaching:learner_exercise", args=[world.classroom.pk, world.class_learner.pk, "other-add"]
    )
    assert ines.get(other_course_exercise).status_code == 404
