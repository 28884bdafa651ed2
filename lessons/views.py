import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from grader.selectors import submission_history, submission_history_get
from grader.submission_review import submission_review, submission_row
from lessons import selectors
from lessons.content_watch import content_version
from lessons.exercise_widget import exercise_widget
from lessons.models import Course, Exercise, Lesson
from lessons.services import lesson_visit_record

HISTORY_PAGE_SIZE = 25


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


def _exercise_or_404(slug: str) -> Exercise:
    exercise = Exercise.objects.select_related("lesson__course").filter(slug=slug).first()
    if exercise is None:
        raise Http404("No such exercise.")
    return exercise


@require_safe
@login_required
def exercise_history(request: HttpRequest, exercise_slug: str) -> HttpResponse:
    """The learner's own submissions of one exercise, newest first."""
    assert isinstance(request.user, User)  # login_required
    exercise = _exercise_or_404(exercise_slug)
    pages = Paginator(
        submission_history(user=request.user, exercise=exercise).select_related("exercise"),
        HISTORY_PAGE_SIZE,
    )
    page = pages.get_page(request.GET.get("page"))
    context = {
        "exercise": exercise,
        "page": page,
        "rows": [submission_row(submission=submission) for submission in page],
    }
    return render(request, "lessons/history.html", context)


@require_safe
@login_required
def exercise_history_detail(
    request: HttpRequest, exercise_slug: str, submission_id: uuid.UUID
) -> HttpResponse:
    """One of the learner's submissions: its code and its result. 404 for anyone else's."""
    assert isinstance(request.user, User)  # login_required
    exercise = _exercise_or_404(exercise_slug)
    submission = submission_history_get(
        user=request.user, exercise=exercise, submission_id=submission_id
    )
    if submission is None:
        raise Http404("No such submission, or it is not yours.")
    context = {"exercise": exercise, "review": submission_review(submission=submission)}
    return render(request, "lessons/history_detail.html", context)


@require_safe
@never_cache
def author_version(request: HttpRequest) -> JsonResponse:
    """The content version, polled by open pages in author mode (manage.py author)."""
    if not settings.LESSONS_AUTHOR_MODE:
        raise Http404("Author mode is off.")
    return JsonResponse({"version": content_version()})
