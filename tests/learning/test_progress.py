"""Progress on the catalog and the course outline, as a learner, another
learner and an anonymous visitor see it; lesson visits."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from learning.models import ExerciseProgress, LessonVisit
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
    assert 'href="/courses/demo/first/#exercise-demo-add"' in outline


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

    # No exercises: done once read. With an exercise not yet attempted: started.
    assert statuses(outline, "lesson") == {"first": "in_progress", "second": "done"}
    assert statuses(outline, "exercise") == {"demo-add": "not_started"}
    assert progress_bar(outline)["data-done"] == "0"


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
    ("exercises", "visited", "expected"),
    [
        ([], False, ProgressStatus.NOT_STARTED),
        ([], True, ProgressStatus.DONE),
        ([ProgressStatus.NOT_STARTED], False, ProgressStatus.NOT_STARTED),
        ([ProgressStatus.NOT_STARTED], True, ProgressStatus.IN_PROGRESS),
        ([ProgressStatus.DONE, ProgressStatus.NOT_STARTED], False, ProgressStatus.IN_PROGRESS),
        ([ProgressStatus.IN_PROGRESS], False, ProgressStatus.IN_PROGRESS),
        ([ProgressStatus.DONE, ProgressStatus.DONE], False, ProgressStatus.DONE),
    ],
)
def test_lesson_status(
    exercises: list[ProgressStatus], visited: bool, expected: ProgressStatus
) -> None:
    assert lesson_status(exercises=exercises, visited=visited) == expected


def test_the_catalog_counts_lessons_and_exercises_once(
    client: Client, flask_exercise: Exercise
) -> None:
    lessons = Lesson.objects.filter(course=flask_exercise.course).count()
    exercises = Exercise.objects.filter(course=flask_exercise.course, lesson__isnull=False).count()

    text = client.get("/").text

    assert f"{lessons} lessons, {exercises} graded exercises" in text
