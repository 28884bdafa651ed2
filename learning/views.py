from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from learning import selectors
from learning.exercise_widget import exercise_widget
from learning.services import lesson_visit_record
from lessons.models import Course, Lesson
from lessons.selectors import course_get, lesson_page_get


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
    outline = selectors.course_outline_get(course=found, user=request.user)
    return render(request, "learning/course.html", {"course": found, "outline": outline})


@require_safe
# The exercise widget posts JSON with the token from the csrftoken cookie.
@ensure_csrf_cookie
def lesson(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    try:
        page = lesson_page_get(course_slug=course_slug, lesson_slug=lesson_slug)
    except (Course.DoesNotExist, Lesson.DoesNotExist) as exc:
        raise Http404("No such lesson.") from exc
    if isinstance(request.user, User) and request.user.is_authenticated:
        lesson_visit_record(user=request.user, lesson=page.lesson)
    progress = selectors.exercise_progress_map(user=request.user, exercises=page.exercises)
    lesson_url = page.lesson.get_absolute_url()
    context = {
        "course": page.lesson.course,
        "lesson": page.lesson,
        "previous": page.previous,
        "next": page.next,
        "exercises": [
            exercise_widget(
                exercise=exercise,
                user=request.user,
                progress=progress.get(exercise.pk),
                lesson_url=lesson_url,
            )
            for exercise in page.exercises
        ],
    }
    return render(request, "learning/lesson.html", context)
