from dataclasses import replace
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST, require_safe

from learning import selectors
from learning.exercise_widget import exercise_widget
from learning.question_widget import lesson_body_html
from learning.services import lesson_done_mark, lesson_visit_record
from lessons.models import Course, Lesson
from lessons.selectors import LessonPage, course_get, lesson_page_get


def _lesson_page_or_404(course_slug: str, lesson_slug: str) -> LessonPage:
    try:
        return lesson_page_get(course_slug=course_slug, lesson_slug=lesson_slug)
    except (Course.DoesNotExist, Lesson.DoesNotExist) as exc:
        raise Http404("No such lesson.") from exc


@require_safe
def course_list(request: HttpRequest) -> HttpResponse:
    cards = selectors.course_cards(user=request.user)
    return render(request, "learning/course_list.html", {"cards": cards})


@require_safe
def course(request: HttpRequest, course_slug: str) -> HttpResponse:
    try:
        found = course_get(slug=course_slug)
    except Course.DoesNotExist as exc:
        raise Http404("No such course.") from exc
    outline = selectors.course_outline_get(
        course=found,
        user=request.user,
        due_dates=selectors.due_notes(user=request.user, course=found),
    )
    return render(request, "learning/course.html", {"course": found, "outline": outline})


@require_safe
# The exercise widget posts JSON with the token from the csrftoken cookie.
@ensure_csrf_cookie
def lesson(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    page = _lesson_page_or_404(course_slug, lesson_slug)
    visit = None
    if isinstance(request.user, User) and request.user.is_authenticated:
        visit = lesson_visit_record(user=request.user, lesson=page.lesson)
    progress = selectors.exercise_progress_map(user=request.user, exercises=page.exercises)
    due = (
        selectors.due_notes(user=request.user, course=page.lesson.course) if page.exercises else {}
    )
    lesson_url = page.lesson.get_absolute_url()
    context = {
        "course": page.lesson.course,
        "lesson": page.lesson,
        # With its check-yourself questions filled in for this visitor.
        "body_html": lesson_body_html(lesson=page.lesson, request=request),
        "previous": page.previous,
        "next": page.next,
        "lesson_done": visit is not None and visit.done_at is not None,
        "exercises": [
            exercise_widget(
                exercise=exercise,
                user=request.user,
                progress=progress.get(exercise.pk),
                lesson_url=lesson_url,
                next_lesson=page.next,
                due=due.get(exercise.pk),
            )
            for exercise in page.exercises
        ],
    }
    return render(request, "learning/lesson.html", context)


@require_POST
@login_required
def lesson_done(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    """The "Mark as done" button of a lesson without exercises; on to the next one."""
    page = _lesson_page_or_404(course_slug, lesson_slug)
    assert isinstance(request.user, User)  # login_required
    lesson_done_mark(user=request.user, lesson=page.lesson)
    return redirect(page.next or page.lesson.course)


@require_safe
@ensure_csrf_cookie
def exercise(
    request: HttpRequest, course_slug: str, lesson_slug: str, exercise_slug: str
) -> HttpResponse:
    """One exercise of a lesson on a page of its own: the learner's workspace
    (docs/editor.md), with the same widget as the lesson page."""
    page = _lesson_page_or_404(course_slug, lesson_slug)
    found = next((each for each in page.exercises if each.slug == exercise_slug), None)
    if found is None:
        raise Http404("No such exercise in this lesson.")
    if isinstance(request.user, User) and request.user.is_authenticated:
        # Working on a lesson's exercise is a visit to the lesson, even from the outline.
        lesson_visit_record(user=request.user, lesson=page.lesson)
    progress = selectors.exercise_progress_map(user=request.user, exercises=[found])
    widget = exercise_widget(
        exercise=found,
        user=request.user,
        progress=progress.get(found.pk),
        lesson_url=page.lesson.get_absolute_url(),
        next_lesson=page.next,
        due=selectors.due_notes(user=request.user, course=page.lesson.course).get(found.pk),
    )
    # Logging in or signing up from here comes back here, not to the lesson.
    back = urlencode({"next": request.path})
    widget = replace(
        widget,
        login_url=f"{reverse('login')}?{back}",
        signup_url=f"{reverse('signup')}?{back}",
        score_overrides=tuple(selectors.score_override_notes(user=request.user, exercise=found)),
    )
    context = {"course": page.lesson.course, "lesson": page.lesson, "exercise": widget}
    return render(request, "learning/workspace.html", context)
