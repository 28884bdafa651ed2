"""A class's analytics page (docs/instructors.md): charts of one exercise and of
the class over the course, each with a table of the same numbers."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from classes.selectors import classroom_taught
from lessons.models import Exercise
from teaching import analytics as stats


@login_required
def analytics(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = classroom_taught(user=request.user, classroom_id=classroom_id)
    if classroom is None:
        raise Http404("No class of yours has that number.")
    exercises = list(
        Exercise.objects.filter(course_id=classroom.course_id).select_related("lesson")
    )
    slug = request.GET.get("exercise")
    if slug:
        exercise = next((e for e in exercises if e.slug == slug), None)
        if exercise is None:
            raise Http404("The class's course has no exercise of that name.")
    else:
        exercise = stats.exercise_default(classroom=classroom, exercises=exercises)
    context: dict[str, object] = {
        "classroom": classroom,
        "exercises": exercises,
        "exercise": exercise,
        "progress": stats.class_progress(classroom=classroom),
        "not_started": stats.learners_not_started(classroom=classroom),
    }
    if exercise is not None:
        context |= {
            "attempts": stats.attempts_until_pass(classroom=classroom, exercise=exercise),
            "pass_rate": stats.pass_rate_over_time(classroom=classroom, exercise=exercise),
            "failed_tests": stats.tests_failed_most(classroom=classroom, exercise=exercise),
            "run_failures": stats.whole_run_failures(classroom=classroom, exercise=exercise),
            "hints": stats.hints_revealed(classroom=classroom, exercise=exercise),
            "time_to_pass": stats.time_to_pass(classroom=classroom, exercise=exercise),
        }
    return render(request, "teaching/analytics.html", context)
