from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from lessons import selectors
from lessons.content_watch import content_version
from lessons.exercise_widget import exercise_widget
from lessons.models import Course, Lesson


@require_safe
def course_list(request: HttpRequest) -> HttpResponse:
    return render(request, "lessons/course_list.html", {"courses": selectors.course_list()})


@require_safe
def course(request: HttpRequest, course_slug: str) -> HttpResponse:
    try:
        found = selectors.course_get(slug=course_slug)
    except Course.DoesNotExist as exc:
        raise Http404("No such course.") from exc
    modules = selectors.course_modules(course=found)
    first = next((m.lessons.all()[0] for m in modules if m.lessons.all()), None)
    context = {"course": found, "modules": modules, "first_lesson": first}
    return render(request, "lessons/course.html", context)


@require_safe
# The exercise widget posts JSON with the token from the csrftoken cookie.
@ensure_csrf_cookie
def lesson(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    try:
        page = selectors.lesson_page_get(course_slug=course_slug, lesson_slug=lesson_slug)
    except (Course.DoesNotExist, Lesson.DoesNotExist) as exc:
        raise Http404("No such lesson.") from exc
    context = {
        "course": page.lesson.course,
        "lesson": page.lesson,
        "previous": page.previous,
        "next": page.next,
        "exercises": [exercise_widget(exercise=exercise) for exercise in page.exercises],
    }
    return render(request, "lessons/lesson.html", context)


@require_safe
@never_cache
def author_version(request: HttpRequest) -> JsonResponse:
    """The content version, polled by open pages in author mode (manage.py author)."""
    if not settings.LESSONS_AUTHOR_MODE:
        raise Http404("Author mode is off.")
    return JsonResponse({"version": content_version()})
