"""Progress on the catalog and the course outline, as a learner, another
learner and an anonymous visitor see it; lesson visits."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from learning.models import ExerciseProgress, LessonVisit
from learning.questions import QuestionsCount
from learning.selectors import ProgressStatus, lesson_status
from lessons.loader.sync import content_load
from lessons.models import Exercise, Lesson
from tests.support.clients import logged_in

pytestmark = pytest.mark.django_db

COURSE_URL = "/courses/demo/"
FIRST_URL = "/courses/demo/first/"
SECOND_URL = "/courses/demo/second/"


@pytest.fixture
def demo(demo_root: Path) -> Exercise:
    """The demo course: lesson "first" holds exercise demo-add, "second" has none."""
    content_load(root=demo_root)
    return Exercise.objects.get(slug="demo-add")


def progress_bar(text: str) -> dict[str, str]:
    match = re.search(r"<progress[^>]*data-testid=\"course-progress\"[^>]*>", text)
    assert match is not None, "no course progress bar"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(0)))


def statuses(text: str, kind: str) -> dict[str, str]:
    """{slug: status} of the lessons or exercises on a course page."""
    return dict(re.findall(rf'data-{kind}="([\w-]+)" data-status="(\w+)"', text))


def attempt(user: User, exercise: Exercise, *, completed: bool) -> None:
    ExerciseProgress.objects.create(
        user=user,
        exercise=exercise,
        attempts=1,
        failed_attempts=0 if completed else 1,
        best_score=exercise.max_score if completed else 0,
        max_score=exercise.max_score,
        completed=completed,
    )


def test_anonymous_visitors_see_no_progress(client: Client, demo: Exercise) -> None:
    catalog = client.get("/").text
    outline = client.get(COURSE_URL).text

    for text in (catalog, outline):
        assert "course-progress" not in text
        assert "data-status" not in text
    assert "to track your progress" in catalog
    assert "2 lessons, 1 graded exercise" in catalog
    # The outline still lists the exercise under its lesson.
    assert 'href="/courses/demo/first/exercises/demo-add/"' in outline


def test_a_new_learner_has_started_nothing(learner: User, demo: Exercise) -> None:
    client = logged_in(learner)

    bar = progress_bar(client.get("/").text)
    outline = client.get(COURSE_URL).text

    assert (bar["data-done"], bar["data-total"], bar["value"], bar["max"]) == ("0", "1", "0", "1")
    assert bar["data-course"] == "demo"
    assert progress_bar(outline)["data-done"] == "0"
    assert "0 of 1 exercise done" in outline
    assert statuses(outline, "lesson") == {"first": "not_started", "second": "not_started"}
    assert statuses(outline, "exercise") == {"demo-add": "not_started"}
    assert "Not started" in outline


def test_a_completed_exercise_counts_for_its_learner_only(
    learner: User, other_learner: User, demo: Exercise
) -> None:
    attempt(learner, demo, completed=True)

    mine = logged_in(learner).get(COURSE_URL).text
    theirs = logged_in(other_learner).get(COURSE_URL).text

    bar = progress_bar(mine)
    assert (bar["data-done"], bar["data-total"]) == ("1", "1")
    assert "1 of 1 exercise done" in mine
    assert statuses(mine, "exercise") == {"demo-add": "done"}
    assert statuses(mine, "lesson")["first"] == "done"
    assert "✓</span> Done" in mine
    assert progress_bar(logged_in(learner).get("/").text)["data-done"] == "1"

    assert progress_bar(theirs)["data-done"] == "0"
    assert statuses(theirs, "exercise") == {"demo-add": "not_started"}
    assert statuses(theirs, "lesson")["first"] == "not_started"


def test_an_attempted_exercise_is_in_progress(learner: User, demo: Exercise) -> None:
    attempt(learner, demo, completed=False)

    outline = logged_in(learner).get(COURSE_URL).text

    assert progress_bar(outline)["data-done"] == "0"
    assert statuses(outline, "exercise") == {"demo-add": "in_progress"}
    assert statuses(outline, "lesson")["first"] == "in_progress"
    assert "In progress" in outline


def test_reading_lessons_marks_them(learner: User, demo: Exercise) -> None:
    client = logged_in(learner)

    client.get(SECOND_URL)
    client.get(FIRST_URL)
    outline = client.get(COURSE_URL).text

    # Opened, both are started; neither is done by being opened.
    assert statuses(outline, "lesson") == {"first": "in_progress", "second": "in_progress"}
    assert statuses(outline, "exercise") == {"demo-add": "not_started"}
    assert progress_bar(outline)["data-done"] == "0"


def test_a_lesson_without_exercises_is_done_when_its_learner_marks_it(
    learner: User, other_learner: User, demo: Exercise
) -> None:
    client = logged_in(learner)
    page = client.get(SECOND_URL).text
    assert 'data-role="lesson-done"' in page and "Mark as done" in page

    response = client.post(f"{SECOND_URL}done/")

    # On to the next lesson, or back to the course after the last one.
    assert response.status_code == 302
    assert response["Location"] == COURSE_URL
    assert statuses(client.get(COURSE_URL).text, "lesson")["second"] == "done"
    assert "You marked this lesson done." in client.get(SECOND_URL).text
    # Marked once: a second mark keeps the first time.
    done_at = LessonVisit.objects.get(user=learner, lesson__slug="second").done_at
    client.post(f"{SECOND_URL}done/")
    assert LessonVisit.objects.get(user=learner, lesson__slug="second").done_at == done_at
    # Theirs alone.
    other = logged_in(other_learner).get(COURSE_URL).text
    assert statuses(other, "lesson")["second"] == "not_started"


def test_marking_done_needs_a_login_and_a_post(client: Client, demo: Exercise) -> None:
    assert client.get(f"{SECOND_URL}done/").status_code == 405
    response = client.post(f"{SECOND_URL}done/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not LessonVisit.objects.exists()


def test_the_course_page_says_where_to_continue(learner: User, demo: Exercise) -> None:
    client = logged_in(learner)
    first_visit = client.get(COURSE_URL).text
    assert "Start with" in first_visit and 'data-role="continue"' not in first_visit

    client.get(FIRST_URL)
    outline = client.get(COURSE_URL).text
    assert re.search(r'href="/courses/demo/first/" data-role="continue">Continue where', outline)

    # The lesson last opened, done: the next one not done is where to go on.
    attempt(learner, demo, completed=True)
    outline = client.get(COURSE_URL).text
    assert re.search(r'href="/courses/demo/second/" data-role="continue"', outline)
    catalog = client.get("/").text
    assert re.search(r'href="/courses/demo/second/" data-role="continue">Continue:', catalog)

    client.post(f"{SECOND_URL}done/")
    finished = client.get(COURSE_URL).text
    assert 'data-role="continue"' not in finished
    assert "You have finished this course" in finished


def test_the_outline_shows_the_best_score_and_attempts(learner: User, demo: Exercise) -> None:
    ExerciseProgress.objects.create(
        user=learner, exercise=demo, attempts=3, best_score=1, max_score=demo.max_score
    )

    outline = logged_in(learner).get(COURSE_URL).text

    assert re.search(
        rf'data-role="score">1 of {demo.max_score:g} points · 3 attempts</span>', outline
    )


def test_lesson_visits_are_recorded_once_per_learner_and_lesson(
    client: Client, learner: User, demo: Exercise
) -> None:
    client.get(SECOND_URL)
    assert LessonVisit.objects.count() == 0  # anonymous: nothing stored

    learned = logged_in(learner)
    learned.get(SECOND_URL)
    first = LessonVisit.objects.get()
    learned.get(SECOND_URL)
    again = LessonVisit.objects.get()

    assert again.user == learner
    assert again.lesson == Lesson.objects.get(slug="second")
    assert again.first_visited_at == first.first_visited_at
    assert again.last_visited_at >= first.last_visited_at


def test_an_exercise_dropped_from_its_lesson_is_not_counted(learner: User, demo: Exercise) -> None:
    attempt(learner, demo, completed=True)
    Exercise.objects.filter(pk=demo.pk).update(lesson=None)

    client = logged_in(learner)
    catalog = client.get("/").text
    outline = client.get(COURSE_URL).text

    # No graded exercise left: no bar, and the lesson is judged by the visit alone.
    assert "course-progress" not in catalog
    assert "course-progress" not in outline
    assert statuses(outline, "exercise") == {}
    assert statuses(outline, "lesson")["first"] == "not_started"


def test_the_lesson_page_shows_the_exercise_status_in_its_contents(
    learner: User, demo: Exercise
) -> None:
    attempt(learner, demo, completed=True)

    text = logged_in(learner).get(FIRST_URL).text

    assert re.search(r"Exercise: Add two numbers</a> <span class=\"status status--done\">", text)


@pytest.mark.parametrize(
    ("exercises", "visited", "marked", "expected"),
    [
        ([], False, False, ProgressStatus.NOT_STARTED),
        # Opening a lesson without exercises starts it; saying so makes it done.
        ([], True, False, ProgressStatus.IN_PROGRESS),
        ([], True, True, ProgressStatus.DONE),
        ([ProgressStatus.NOT_STARTED], False, False, ProgressStatus.NOT_STARTED),
        ([ProgressStatus.NOT_STARTED], True, False, ProgressStatus.IN_PROGRESS),
        # A lesson with exercises is done by them, whatever the learner marks.
        ([ProgressStatus.NOT_STARTED], True, True, ProgressStatus.IN_PROGRESS),
        (
            [ProgressStatus.DONE, ProgressStatus.NOT_STARTED],
            False,
            False,
            ProgressStatus.IN_PROGRESS,
        ),
        ([ProgressStatus.IN_PROGRESS], False, False, ProgressStatus.IN_PROGRESS),
        ([ProgressStatus.DONE, ProgressStatus.DONE], False, False, ProgressStatus.DONE),
    ],
)
def test_lesson_status(
    exercises: list[ProgressStatus], visited: bool, marked: bool, expected: ProgressStatus
) -> None:
    assert lesson_status(exercises=exercises, visited=visited, marked_done=marked) == expected


DONE, NOT_STARTED = ProgressStatus.DONE, ProgressStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("exercises", "questions", "expected"),
    [
        # Questions alone: all right is done, some answered is started.
        ([], QuestionsCount(total=2, answered=2, correct=2), ProgressStatus.DONE),
        ([], QuestionsCount(total=2, answered=2, correct=1), ProgressStatus.IN_PROGRESS),
        ([], QuestionsCount(total=2, answered=0, correct=0), ProgressStatus.NOT_STARTED),
        # With exercises, the questions count too.
        ([DONE], QuestionsCount(total=1, answered=1, correct=0), ProgressStatus.IN_PROGRESS),
        ([DONE], QuestionsCount(total=1, answered=1, correct=1), ProgressStatus.DONE),
        ([NOT_STARTED], QuestionsCount(total=1, answered=1, correct=1), ProgressStatus.IN_PROGRESS),
    ],
)
def test_check_yourself_questions_count_in_a_lessons_status(
    exercises: list[ProgressStatus], questions: QuestionsCount, expected: ProgressStatus
) -> None:
    assert lesson_status(exercises=exercises, visited=False, questions=questions) == expected


def test_the_catalog_counts_lessons_and_exercises_once(
    client: Client, flask_exercise: Exercise
) -> None:
    lessons = Lesson.objects.filter(course=flask_exercise.course).count()
    exercises = Exercise.objects.filter(course=flask_exercise.course, lesson__isnull=False).count()

    text = client.get("/").text

    assert f"{lessons} lessons, {exercises} graded exercises" in text
