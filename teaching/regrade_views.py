"""Regrades of a class's submissions (grader/regrades.py): start one, follow
its progress, cancel it, read its score changes. Class instructors only."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from classes.models import Classroom
from classes.selectors import classroom_taught
from grader import regrades as regrading
from grader.models import Regrade
from lessons.models import Exercise


def _classroom_or_404(request: HttpRequest, classroom_id: int) -> Classroom:
    classroom = classroom_taught(user=request.user, classroom_id=classroom_id)
    if classroom is None:
        raise Http404("No such class, or you do not teach it.")
    return classroom


def _regrade_or_404(classroom: Classroom, regrade_id: uuid.UUID) -> Regrade:
    regrade = (
        Regrade.objects.filter(classroom=classroom, pk=regrade_id)
        .select_related("exercise", "requested_by")
        .first()
    )
    if regrade is None:
        raise Http404("No such regrade of this class.")
    return regrade


@login_required
def regrades(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """GET: the class's regrades and the form to start one. POST: start it."""
    classroom = _classroom_or_404(request, classroom_id)
    exercises = Exercise.objects.filter(course=classroom.course).select_related("lesson")
    status = 200
    if request.method == "POST":
        assert isinstance(request.user, User)  # login_required
        exercise = exercises.filter(slug=request.POST.get("exercise", "")).first()
        try:
            if exercise is None:
                raise regrading.RegradeRefused(
                    "unknown_exercise", "Choose one of the course's exercises."
                )
            regrade = regrading.regrade_start(
                classroom=classroom,
                exercise=exercise,
                which=request.POST.get("which", ""),
                requested_by=request.user,
            )
        except regrading.RegradeRefused as refused:
            messages.error(request, refused.message)
            status = refused.status
        else:
            return redirect("teaching:regrade", classroom_id=classroom.pk, regrade_id=regrade.pk)
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    past = [
        (regrade, regrading.regrade_progress(regrade=regrade))
        for regrade in classroom.regrades.select_related("exercise", "requested_by")[:50]
    ]
    return render(
        request,
        "teaching/regrades.html",
        {"classroom": classroom, "exercises": exercises, "past": past, "which": Regrade.Which},
        status=status,
    )


@require_safe
@login_required
def regrade_detail(request: HttpRequest, classroom_id: int, regrade_id: uuid.UUID) -> HttpResponse:
    classroom = _classroom_or_404(request, classroom_id)
    regrade = _regrade_or_404(classroom, regrade_id)
    return render(
        request,
        "teaching/regrade.html",
        {
            "classroom": classroom,
            "regrade": regrade,
            "progress": regrading.regrade_progress(regrade=regrade),
            "changes": regrading.regrade_changes(regrade=regrade),
        },
    )


@require_safe
@login_required
def regrade_progress(
    request: HttpRequest, classroom_id: int, regrade_id: uuid.UUID
) -> JsonResponse:
    """What the progress bar polls."""
    regrade = _regrade_or_404(_classroom_or_404(request, classroom_id), regrade_id)
    return JsonResponse(
        {
            **regrading.regrade_progress(regrade=regrade).as_json(),
            "cancelled_at": regrade.cancelled_at,
        }
    )


@require_POST
@login_required
def regrade_cancel(request: HttpRequest, classroom_id: int, regrade_id: uuid.UUID) -> HttpResponse:
    classroom = _classroom_or_404(request, classroom_id)
    regrade = regrading.regrade_cancel(regrade=_regrade_or_404(classroom, regrade_id))
    messages.info(
        request,
        "Regrade cancelled: what was still waiting will not be graded; what was already "
        "regraded keeps its new result.",
    )
    return redirect("teaching:regrade", classroom_id=classroom.pk, regrade_id=regrade.pk)
