from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from lessons import selectors
from lessons.content_watch import content_version
from lessons.exercise_widget import exercise_widget
from lessons.models import Course, Lesson
from lessons.services import lesson_visit_record


@require_safe
def course_list(request: HttpRequest) -> HttpResponse:
    cards = selectors.course_cards(user=request.user)
    return render(request, "lessons/course_list.html", {"cards": cards})


@require_safe
def course(request: HttpRequest, course_slug: str) -> HttpResponse:
    try:
        found = selectors.course_get(slug=course_slug)
    except Course.DoesNotExist as exc:
        raise Http404("No such course.") from exc
    outline = selectors.course_outline_get(course=found, user=request.user)
    return render(request, "lessons/course.html", {"course": found, "outline": outline})


@require_safe
# The exercise widget posts JSON with the token from the csrftoken cookie.
@ensure_csrf_cookie
def lesson(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    try:
        page = selectors.lesson_page_get(course_slug=course_slug, lesson_slug=lesson_slug)
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
    return render(request, "lessons/lesson.html", context)


@require_safe
@never_cache
def author_version(request: HttpRequest) -> JsonResponse:
    """The content version, polled by open pages in author mode (manage.py author)."""
    if not settings.LESSONS_AUTHOR_MODE:
        raise Http404("Author mode is off.")
    return JsonResponse({"version": content_version()})
