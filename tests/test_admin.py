"""The Django admin, as an operator uses it: submissions, progress, classes and
content can be looked up; only a course's instructors can be changed."""

import html

import pytest
from django.contrib.auth.models import User
from django.test import Client

from classes.services import score_override_set
from grader.models import Submission
from grader.services import submission_create
from learning.models import ExerciseProgress, LessonVisit
from lessons.models import Course, Exercise, Lesson
from tests.support.answers import FLASK_APP
from tests.support.classes import ClassWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("operator", "op@example.com", "x"))
    return client


def test_submissions_and_progress_are_readable_and_never_changed(
    operator: Client, flask_exercise: Exercise, learner: User
) -> None:
    submission = submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner)
    progress = ExerciseProgress.objects.create(user=learner, exercise=flask_exercise, attempts=2)
    lesson = Lesson.objects.get(exercises=flask_exercise)
    visit = LessonVisit.objects.create(user=learner, lesson=lesson)
    pages = {
        f"/admin/grader/submission/{submission.pk}/change/": "the grader's record",
        f"/admin/learning/exerciseprogress/{progress.pk}/change/": "written by the grader",
        f"/admin/learning/lessonvisit/{visit.pk}/change/": "written by the grader",
    }
    for url, why in pages.items():
        page = operator.get(url)
        assert page.status_code == 200, url
        assert why in html.unescape(page.text)
        assert 'name="_save"' not in page.text  # a view, not a form
        assert operator.post(url, {}).status_code == 403
        delete = url.replace("/change/", "/delete/")
        assert operator.post(delete, {"post": "yes"}).status_code == 403
    listing = operator.get("/admin/grader/submission/?status=queued").text
    assert str(submission.pk) in listing
    assert operator.get("/admin/grader/submission/add/").status_code == 403
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_content_says_it_comes_from_the_course_folder(
    operator: Client, flask_exercise: Exercise
) -> None:
    lesson = Lesson.objects.get(exercises=flask_exercise)
    url = f"/admin/lessons/lesson/{lesson.pk}/change/"

    page = operator.get(url)
    refused = operator.post(url, {"title": "Changed in the admin"})

    assert page.status_code == 200
    assert "change the files and run load_lessons" in html.unescape(page.text)
    assert refused.status_code == 403
    lesson.refresh_from_db()
    assert lesson.title != "Changed in the admin"
    assert operator.get(f"/admin/lessons/exercise/{flask_exercise.pk}/change/").status_code == 200
    assert operator.get("/admin/lessons/lesson/add/").status_code == 403


def test_a_courses_instructors_are_the_one_thing_to_change(
    operator: Client, flask_exercise: Exercise, instructor: User
) -> None:
    course = Course.objects.get(pk=flask_exercise.course_id)
    url = f"/admin/lessons/course/{course.pk}/change/"
    title = course.title

    changed = operator.post(url, {"instructors": [instructor.pk], "title": "Not from the admin"})

    assert changed.status_code == 302
    course.refresh_from_db()
    assert list(course.instructors.all()) == [instructor]
    assert course.title == title


def test_classes_and_overrides_are_readable_and_never_changed(
    operator: Client, class_world: ClassWorld
) -> None:
    override = score_override_set(
        classroom=class_world.classroom,
        user_id=class_world.class_learner.pk,
        exercise=class_world.exercise,
        score=4,
        reason="Marked by hand after the grader was down",
        set_by=class_world.class_instructor,
    )
    pages = {
        f"/admin/classes/classroom/{class_world.classroom.pk}/change/": "class's page",
        f"/admin/classes/scoreoverride/{override.pk}/change/": "never changed",
    }
    for url, why in pages.items():
        page = operator.get(url)
        assert page.status_code == 200, url
        assert why in html.unescape(page.text)
        assert 'name="_save"' not in page.text
        assert operator.post(url, {}).status_code == 403
    # The class page lists its learner, read-only.
    assert (
        class_world.class_learner.username
        in operator.get(f"/admin/classes/classroom/{class_world.classroom.pk}/change/").text
    )
    listing = operator.get("/admin/classes/scoreoverride/?q=grader+was+down").text
    assert class_world.class_learner.username in listing
    assert operator.get("/admin/grader/regrade/").status_code == 200
