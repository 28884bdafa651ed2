"""A class's analytics (teaching/analytics.py and its page): the numbers from
submissions with realistic results, one set graded by the real grader, and who
may see them."""

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from classes.services import classroom_join
from grader.models import Submission
from grader.services import grade_submission, submission_create
from learning.models import ExerciseProgress, LessonVisit
from lessons.models import Exercise
from teaching import analytics
from tests.support.classes import ClassWorld
from tests.support.clients import logged_in

pytestmark = pytest.mark.django_db

# A Monday, noon UTC: the tests' days are UTC dates (no time zone cookie).
MONDAY = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
CODE = {"calc.py": "def add(a, b):\n    return a + b\n"}


def url(world: ClassWorld, query: str = "") -> str:
    return f"/teach/classes/{world.classroom.pk}/analytics/{query}"


def learner_join(world: ClassWorld, name: str) -> User:
    user = User.objects.create_user(name, f"{name}@example.com", "learner-password-1")
    classroom_join(user=user, code=world.classroom.join_code)
    return user


def result_document(
    exercise: Exercise, failing: tuple[str, ...], verdict: str, *, ran: bool = True
) -> dict[str, Any]:
    """A result as the grader writes it (docs/grading.md, "The result")."""
    tests = []
    for spec in exercise.tests:
        passed = ran and spec["name"] not in failing
        tests.append(
            {
                "name": spec["name"],
                "status": "pass" if passed else ("fail" if ran else "error"),
                "message": "" if passed else "assert add(-1, -2) == -3",
                "output": "",
                "points": spec["points"] if passed else 0.0,
                "max_points": spec["points"],
                "visibility": spec["visibility"],
                "duration_ms": 2,
                "ran": ran,
                "exchanges": [],
            }
        )
    score = float(sum(test["points"] for test in tests))
    return {
        "version": 3,
        "status": {"passed": "pass", "failed": "fail"}.get(verdict, "error"),
        "verdict": verdict,
        "message": "",
        "location": None,
        "score": score,
        "max_score": exercise.max_score,
        "gradable": verdict not in ("syntax_error", "import_error", "grader_error"),
        "output": "",
        "tests": tests,
    }


def graded(
    user: User,
    exercise: Exercise,
    at: datetime,
    *,
    failing: tuple[str, ...] = (),
    verdict: str | None = None,
    mode: str = Submission.Mode.SUBMIT,
    source: str = Submission.Source.WEB,
) -> Submission:
    """A completed submission of `user` at `at`: failing the named tests, or,
    with a verdict such as syntax_error or timeout, stopped as a whole run."""
    if verdict is None:
        verdict = "failed" if failing else "passed"
    whole_run = verdict not in ("passed", "failed")
    document = result_document(
        exercise, failing if not whole_run else (), verdict, ran=not whole_run
    )
    if whole_run:
        document["score"] = 0.0
    submission = Submission.objects.create(
        exercise=exercise,
        user=user,
        mode=mode,
        source=source,
        files=CODE,
        status=Submission.Status.COMPLETED,
        result=document,
        score=document["score"],
        max_score=document["max_score"],
        result_status=document["status"],
        gradable=document["gradable"],
    )
    # created_at is set on insert; put it where the test wants it.
    Submission.objects.filter(pk=submission.pk).update(created_at=at, finished_at=at)
    return submission


@pytest.fixture
def world(class_world: ClassWorld) -> ClassWorld:
    return class_world


# --- Attempts until the first pass -------------------------------------------------------


def test_attempts_count_graded_submits_up_to_the_first_full_score(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    sam, tom = learner_join(world, "sam"), learner_join(world, "tom")
    learner_join(world, "una")  # in the class, never submits
    graded(lea, exercise, MONDAY, failing=("test_add_negative",))
    # Neither a syntax error (not gradable) nor a Run is an attempt.
    graded(lea, exercise, MONDAY + timedelta(minutes=1), verdict="syntax_error")
    graded(lea, exercise, MONDAY + timedelta(minutes=2), mode=Submission.Mode.RUN)
    graded(lea, exercise, MONDAY + timedelta(minutes=3), failing=("test_add",))
    graded(lea, exercise, MONDAY + timedelta(minutes=4))
    # After the pass, nothing more counts; nor does an instructor's regrade.
    graded(lea, exercise, MONDAY + timedelta(minutes=5), failing=("test_add",))
    graded(lea, exercise, MONDAY + timedelta(minutes=6), source=Submission.Source.REGRADE)
    graded(sam, exercise, MONDAY)
    for minute in range(12):
        graded(tom, exercise, MONDAY + timedelta(minutes=minute), failing=("test_add",))
    # Another class's learner is not this class's.
    graded(world.other_learner, exercise, MONDAY)

    found = analytics.attempts_until_pass(classroom=world.classroom, exercise=exercise)

    bars = dict(found.bars)
    assert list(bars) == [str(n) for n in range(1, 10)] + ["10 or more", "Not passed yet"]
    assert (bars["1"], bars["3"], bars["Not passed yet"]) == (1, 1, 1)
    assert sum(bars.values()) == 3
    assert (found.passed, found.not_passed, found.not_tried) == (2, 1, 1)
    assert found.summary() == (
        "2 learners passed, 1 tried and has not passed yet, 1 did not try."
        " Most often it took 1 attempt."
    )
    chart = found.chart().as_json()
    assert chart["kind"] == "bar"
    assert chart["series"][0]["values"][:3] == [1.0, 0.0, 1.0]


def test_ten_attempts_or_more_share_one_bar(world: ClassWorld) -> None:
    for minute in range(11):
        graded(
            world.class_learner,
            world.exercise,
            MONDAY + timedelta(minutes=minute),
            failing=() if minute == 10 else ("test_add",),
        )

    found = analytics.attempts_until_pass(classroom=world.classroom, exercise=world.exercise)

    assert dict(found.bars)["10 or more"] == 1


# --- Pass rate over time -----------------------------------------------------------------


def test_the_pass_rate_is_counted_per_day_with_the_days_between(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    sam = learner_join(world, "sam")
    graded(lea, exercise, MONDAY, failing=("test_add",))
    graded(sam, exercise, MONDAY + timedelta(minutes=1), failing=("test_add",))
    graded(sam, exercise, MONDAY + timedelta(minutes=2))
    graded(lea, exercise, MONDAY + timedelta(days=2))

    found = analytics.pass_rate_over_time(classroom=world.classroom, exercise=exercise)

    assert [
        (f"{d.day}", d.submissions, d.passed, d.share_text, d.learners_passed) for d in found.days
    ] == [
        ("2026-01-05", 3, 1, "33%", 1),
        ("2026-01-06", 0, 0, "—", 1),
        ("2026-01-07", 1, 1, "100%", 2),
    ]
    chart = found.chart().as_json()
    assert chart["labels"] == ["2026-01-05", "2026-01-06", "2026-01-07"]
    assert [s["share"] for s in chart["series"]] == [False, False, True]
    assert chart["series"][2]["values"][1] is None


def test_no_attempts_no_days(world: ClassWorld) -> None:
    found = analytics.pass_rate_over_time(classroom=world.classroom, exercise=world.exercise)

    assert found.days == []
    assert found.summary() == "No attempts yet."


# --- The tests learners fail most --------------------------------------------------------


def test_failed_tests_are_counted_per_submission_and_per_learner(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    sam = learner_join(world, "sam")
    graded(lea, exercise, MONDAY, failing=("test_add_negative", "test_add_zero"))
    graded(lea, exercise, MONDAY + timedelta(minutes=1), failing=("test_add_negative",))
    graded(sam, exercise, MONDAY, failing=("test_add_negative",))
    # A run stopped before the tests is not those tests failing, and a Run is not graded.
    graded(sam, exercise, MONDAY + timedelta(minutes=1), verdict="timeout")
    graded(sam, exercise, MONDAY + timedelta(minutes=2), verdict="syntax_error")
    graded(sam, exercise, MONDAY + timedelta(minutes=3), failing=("test_add",), mode="run")

    found = analytics.tests_failed_most(classroom=world.classroom, exercise=exercise)

    assert [(t.name, t.visibility, t.learner_count, t.submissions) for t in found.tests] == [
        ("test_add_negative", "hidden", 2, 3),
        ("test_add_zero", "hidden", 1, 1),
        ("test_add", "visible", 0, 0),
    ]
    # Out of the gradable ones: the timeout is gradable, the syntax error is not.
    assert (found.submissions, found.learners) == (4, 2)
    assert "test_add_negative (2 learners)" in found.summary()
    chart = found.chart().as_json()
    assert chart["horizontal"] is True
    assert chart["labels"] == [
        "test_add_negative (hidden)",
        "test_add_zero (hidden)",
        "test_add",
    ]


def test_a_regraded_submission_counts_in_its_regrade(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    original = graded(lea, exercise, MONDAY, failing=("test_add",))
    regrade = graded(lea, exercise, MONDAY + timedelta(days=1), source=Submission.Source.REGRADE)
    Submission.objects.filter(pk=regrade.pk).update(regrade_of=original)

    found = analytics.tests_failed_most(classroom=world.classroom, exercise=exercise)

    assert all(test.learner_count == 0 for test in found.tests)
    assert found.submissions == 1


# --- Whole-run failures ------------------------------------------------------------------


def test_whole_run_failures_are_counted_by_verdict_with_its_label(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    sam = learner_join(world, "sam")
    graded(lea, exercise, MONDAY, verdict="syntax_error")
    graded(lea, exercise, MONDAY + timedelta(minutes=1), verdict="syntax_error")
    graded(sam, exercise, MONDAY, verdict="syntax_error")
    graded(sam, exercise, MONDAY + timedelta(minutes=1), verdict="timeout")
    graded(sam, exercise, MONDAY + timedelta(minutes=2), failing=("test_add",))
    graded(sam, exercise, MONDAY + timedelta(minutes=3))

    found = analytics.whole_run_failures(classroom=world.classroom, exercise=exercise)

    assert [(f.verdict, f.label, f.submissions, f.learners) for f in found.failures] == [
        ("syntax_error", "Syntax error", 3, 2),
        ("timeout", "Timed out", 1, 1),
    ]
    assert found.submissions == 6
    assert found.summary() == (
        "Of 6 graded submissions, whole runs failed most as: Syntax error (3), Timed out (1)."
    )


# --- Hints and time to pass --------------------------------------------------------------


def test_hints_revealed_from_none_to_all(world: ClassWorld) -> None:
    exercise = world.exercise
    assert len(exercise.hints) == 1
    sam, tom = learner_join(world, "sam"), learner_join(world, "tom")
    ExerciseProgress.objects.create(user=world.class_learner, exercise=exercise, hints_revealed=1)
    ExerciseProgress.objects.create(user=sam, exercise=exercise, hints_revealed=0)
    # More than the exercise has now (a hint since removed) counts as all of them.
    ExerciseProgress.objects.create(user=tom, exercise=exercise, hints_revealed=3)
    ExerciseProgress.objects.create(user=world.other_learner, exercise=exercise, hints_revealed=1)

    found = analytics.hints_revealed(classroom=world.classroom, exercise=exercise)

    assert found.counts == [(0, 1), (1, 2)]
    assert found.summary() == (
        "2 of 3 learners who started the exercise revealed at least one of its 1 hint;"
        " 2 revealed all."
    )


def test_time_to_pass_runs_from_the_first_open_of_the_lesson(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    sam, tom = learner_join(world, "sam"), learner_join(world, "tom")
    assert exercise.lesson is not None
    # lea opened the lesson an hour before her first submission, and passed 30 minutes after.
    visit = LessonVisit.objects.create(user=lea, lesson=exercise.lesson)
    LessonVisit.objects.filter(pk=visit.pk).update(first_visited_at=MONDAY - timedelta(hours=1))
    graded(lea, exercise, MONDAY, failing=("test_add",))
    graded(lea, exercise, MONDAY + timedelta(minutes=30))
    # sam never opened the lesson (the API): from his first submission, a Run.
    graded(sam, exercise, MONDAY, mode=Submission.Mode.RUN)
    graded(sam, exercise, MONDAY + timedelta(hours=3))
    # tom's visit is after his first submission; his first submission counts. 10 minutes.
    graded(tom, exercise, MONDAY)
    LessonVisit.objects.create(user=tom, lesson=exercise.lesson)

    found = analytics.time_to_pass(classroom=world.classroom, exercise=exercise)

    # 1 h 30 min, 3 h and 0: the median is 1 h 30 min.
    assert found.learners == 3
    assert found.median == timedelta(hours=1, minutes=30)
    assert found.median_text == "1 h 30 min"


def test_nobody_passed_no_median(world: ClassWorld) -> None:
    graded(world.class_learner, world.exercise, MONDAY, failing=("test_add",))

    found = analytics.time_to_pass(classroom=world.classroom, exercise=world.exercise)

    assert (found.median, found.learners, found.median_text) == (None, 0, "—")


# --- The class over the course -----------------------------------------------------------


def test_class_progress_is_the_mean_share_passed_so_far(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    sam = learner_join(world, "sam")
    graded(lea, exercise, MONDAY)
    graded(lea, exercise, MONDAY + timedelta(minutes=5))  # passed again: still one pass
    graded(sam, exercise, MONDAY + timedelta(days=1), failing=("test_add",))
    graded(sam, exercise, MONDAY + timedelta(days=2))
    graded(world.other_learner, exercise, MONDAY)

    found = analytics.class_progress(classroom=world.classroom)

    assert [(f"{d.day}", d.passes, d.share_text) for d in found.days] == [
        ("2026-01-05", 1, "50%"),
        ("2026-01-06", 1, "50%"),
        ("2026-01-07", 2, "100%"),
    ]
    assert [(e.slug, passed) for e, passed in found.exercises] == [("demo-add", 2)]
    assert found.exercises_summary() == "Add two numbers: 2 of 2"


def test_learners_not_started_have_neither_a_visit_nor_a_submission(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    sam, tom = learner_join(world, "sam"), learner_join(world, "tom")
    una = learner_join(world, "una")
    graded(lea, exercise, MONDAY, mode=Submission.Mode.RUN)
    assert exercise.lesson is not None
    LessonVisit.objects.create(user=sam, lesson=exercise.lesson)
    # A lesson of another course is not a start of this one.
    other_lesson = world.other_course.lessons.first()
    assert other_lesson is not None
    LessonVisit.objects.create(user=tom, lesson=other_lesson)

    found = analytics.learners_not_started(classroom=world.classroom)

    assert found == [tom, una]


def test_the_default_exercise_is_the_first_with_submissions(world: ClassWorld) -> None:
    exercises = list(Exercise.objects.filter(course=world.course))

    assert (
        analytics.exercise_default(classroom=world.classroom, exercises=exercises) == (exercises[0])
    )
    assert analytics.exercise_default(classroom=world.classroom, exercises=[]) is None


# --- The page ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client: Client, world: ClassWorld) -> None:
    response = client.get(url(world))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("who", ["other_instructor", "class_learner", "other_learner"])
def test_only_the_class_instructors_see_it(world: ClassWorld, who: str) -> None:
    response = logged_in(world.users[who]).get(url(world))

    assert response.status_code == 404


def test_an_instructor_of_the_course_who_does_not_teach_the_class_sees_nothing(
    world: ClassWorld,
) -> None:
    teacher = User.objects.create_user("tess", "tess@example.com", "teacher-password-1")
    world.course.instructors.add(teacher)

    assert logged_in(teacher).get(url(world)).status_code == 404


def test_an_unknown_class_is_not_found(world: ClassWorld) -> None:
    response = logged_in(world.class_instructor).get("/teach/classes/999999/analytics/")

    assert response.status_code == 404


def test_an_exercise_of_another_course_is_not_found(world: ClassWorld) -> None:
    client = logged_in(world.class_instructor)

    assert client.get(url(world, "?exercise=other-add")).status_code == 404


def table_after(page: str, canvas_id: str) -> str:
    """The <details> table that follows a canvas, as the page has it."""
    match = re.search(
        rf'<canvas id="{canvas_id}"[^>]*></canvas></div>\s*'
        r'<script id="[\w-]+" type="application/json">.*?</script>\s*'
        r"(<details.*?</details>)",
        page,
        re.S,
    )
    assert match, f"no table right after {canvas_id}"
    return match.group(1)


def test_the_page_has_each_chart_with_its_numbers_in_a_table(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    graded(lea, exercise, MONDAY, failing=("test_add_negative",))
    graded(lea, exercise, MONDAY + timedelta(minutes=1), verdict="timeout")
    graded(lea, exercise, MONDAY + timedelta(minutes=2))
    ExerciseProgress.objects.create(user=lea, exercise=exercise, hints_revealed=1)

    response = logged_in(world.class_instructor).get(url(world, "?exercise=demo-add"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/js/charts.js" in page
    assert '<option value="demo-add" selected>' in page
    for name in ("progress", "passed", "attempts", "pass-rate", "failed-tests", "run-failures"):
        assert f'id="chart-{name}" role="img" aria-label="' in page
    assert 'id="chart-hints" role="img"' in page
    attempts = table_after(page, "chart-attempts")
    assert '<th scope="row">3</th><td>1</td>' in attempts
    failed = table_after(page, "chart-failed-tests")
    assert "<code>test_add_negative</code></th><td>hidden</td><td>1</td><td>1</td>" in failed
    runs = table_after(page, "chart-run-failures")
    assert '<th scope="row">Timed out</th><td>1</td><td>1</td>' in runs
    rate = table_after(page, "chart-pass-rate")
    assert '<th scope="row">2026-01-05</th><td>3</td><td>1</td><td>33%</td><td>1</td>' in rate
    assert '<th scope="row">1</th><td>1</td>' in table_after(page, "chart-hints")
    assert '<th scope="row">2026-01-05</th><td>1</td><td>100%</td>' in table_after(
        page, "chart-progress"
    )
    # The chart data the script draws, embedded as JSON.
    data = re.search(
        r'<script id="chart-attempts-data" type="application/json">(.*?)</script>', page
    )
    assert data
    assert json.loads(data.group(1))["series"][0]["values"][2] == 1.0
    # The median, as text.
    assert "2 min" in page


def test_the_page_of_a_class_with_nothing_yet(world: ClassWorld) -> None:
    response = logged_in(world.class_instructor).get(url(world))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nobody in the class has passed an exercise yet." in page
    assert "No attempts yet." in page
    assert "lea" in page  # not started


def test_more_learners_take_no_more_queries(world: ClassWorld) -> None:
    client = logged_in(world.class_instructor)
    exercise = world.exercise
    assert exercise.lesson is not None

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(world)).status_code == 200
        return len(captured)

    graded(world.class_learner, exercise, MONDAY)
    few = queries()
    for name in ("sam", "tom", "una", "vic"):
        user = learner_join(world, name)
        graded(user, exercise, MONDAY, failing=("test_add",))
        graded(user, exercise, MONDAY + timedelta(days=1))
        LessonVisit.objects.create(user=user, lesson=exercise.lesson)
        ExerciseProgress.objects.create(user=user, exercise=exercise, hints_revealed=1)

    assert queries() == few


# --- With the real grader ----------------------------------------------------------------

STARTER = "def add(a, b):\n    return 0\n"
NO_NEGATIVES = "def add(a, b):\n    return abs(a) + abs(b)\n"
SOLUTION = "def add(a, b):\n    return a + b\n"


@pytest.mark.docker
@pytest.mark.django_db(transaction=True)
def test_real_results_feed_the_failed_tests_and_the_attempts(world: ClassWorld) -> None:
    lea, exercise = world.class_learner, world.exercise
    sam = learner_join(world, "sam")
    for user, code in ((lea, STARTER), (lea, NO_NEGATIVES), (lea, SOLUTION), (sam, NO_NEGATIVES)):
        submission = submission_create(exercise=exercise, files={"calc.py": code}, user=user)
        assert grade_submission(submission.id) is True

    failed = analytics.tests_failed_most(classroom=world.classroom, exercise=exercise)
    attempts = analytics.attempts_until_pass(classroom=world.classroom, exercise=exercise)

    assert [(t.name, t.learner_count, t.submissions) for t in failed.tests] == [
        ("test_add_negative", 2, 3),
        ("test_add", 1, 1),
        ("test_add_zero", 0, 0),
    ]
    assert (failed.submissions, failed.learners) == (4, 2)
    assert dict(attempts.bars)["3"] == 1
    assert (attempts.passed, attempts.not_passed) == (1, 1)
    runs = analytics.whole_run_failures(classroom=world.classroom, exercise=exercise)
    assert runs.failures == []
