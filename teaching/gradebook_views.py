"""A class's gradebook (page and CSV), a learner's submissions of one
exercise as the class's instructors read them, and scores set by hand.

Every view finds its class through classes.selectors.classroom_taught: for
anyone but its instructors the class does not exist (404)."""

import csv
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from classes.models import Classroom
from classes.selectors import class_learners, classroom_taught, learner_score_overrides
from classes.services import ClassRefused, score_override_set
from grader.models import Submission
from grader.selectors import submission_history, submission_history_get, submission_previous
from grader.submission_diff import files_diff
from grader.submission_review import submission_review, submission_row
from lessons.models import Exercise
from teaching.gradebook import EXERCISE_SORT, Gradebook, gradebook_get

HISTORY_PAGE_SIZE = 25
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _classroom_or_404(request: HttpRequest, classroom_id: int) -> Classroom:
    classroom = classroom_taught(user=request.user, classroom_id=classroom_id)
    if classroom is None:
        raise Http404("No such class, or you do not teach it.")
    return classroom


# --- the gradebook -------------------------------------------------------------------


class GradebookFilterForm(forms.Form):
    """The gradebook's filters, as GET parameters (the API takes the same names).
    A module the course does not have is ignored by gradebook_get."""

    module = forms.SlugField(required=False)
    before_due = forms.BooleanField(required=False)
    behind = forms.BooleanField(required=False)
    sort = forms.CharField(required=False, max_length=120)


def _filtered_gradebook(request: HttpRequest, classroom: Classroom) -> Gradebook:
    """The gradebook with the filters of the request; a filter it does not
    understand is left out rather than refused (it is a link someone kept)."""
    form = GradebookFilterForm(request.GET)
    form.is_valid()
    filters = form.cleaned_data
    return gradebook_get(
        classroom=classroom,
        module_slug=filters.get("module") or None,
        before_due=bool(filters.get("before_due")),
        behind_only=bool(filters.get("behind")),
        sort=filters.get("sort") or "name",
    )


@dataclass(frozen=True)
class SortLink:
    url: str
    # aria-sort of the column's header: "ascending", "descending" or "none".
    state: str


def _sort_link(request: HttpRequest, book: Gradebook, key: str) -> SortLink:
    """The header link that sorts by `key`: ascending, or descending when it is
    already sorted ascending by it (totals and scores start with the highest)."""
    current = book.sort.removeprefix("-")
    descending_now = book.sort.startswith("-")
    if current == key:
        state = "descending" if descending_now else "ascending"
        target = key if descending_now else f"-{key}"
    else:
        state = "none"
        target = key if key == "name" else f"-{key}"
    query = request.GET.copy()
    query["sort"] = target
    return SortLink(url=f"?{query.urlencode()}", state=state)


@require_safe
@login_required
def gradebook(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom_or_404(request, classroom_id)
    book = _filtered_gradebook(request, classroom)
    context = {
        "classroom": classroom,
        "book": book,
        "sort_name": _sort_link(request, book, "name"),
        "sort_total": _sort_link(request, book, "total"),
        "sort_progress": _sort_link(request, book, "progress"),
        "columns": [
            (column, _sort_link(request, book, f"{EXERCISE_SORT}{column.exercise.slug}"))
            for column in book.columns
        ],
        "csv_url": reverse("teaching:gradebook_csv", args=[classroom.pk])
        + (f"?{request.GET.urlencode()}" if request.GET else ""),
    }
    return render(request, "teaching/gradebook.html", context)


def spreadsheet_safe(value: object) -> str:
    """A cell's text that no spreadsheet runs as a formula: one that starts
    like a formula gets a leading apostrophe, which spreadsheets hide."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@require_safe
@login_required
def gradebook_csv(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """The gradebook's rows with its filters, as CSV: UTF-8 with a byte order
    mark, which is what makes spreadsheets read it as UTF-8 when opened as is."""
    classroom = _classroom_or_404(request, classroom_id)
    book = _filtered_gradebook(request, classroom)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"gradebook-{classroom.course.slug}-{classroom.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            "username",
            "email",
            "total",
            "max",
            "progress %",
            *(spreadsheet_safe(column.exercise.slug) for column in book.columns),
        ]
    )
    for row in book.rows:
        writer.writerow(
            [
                spreadsheet_safe(row.learner.get_username()),
                spreadsheet_safe(row.learner.email),
                _number(row.total),
                _number(row.max_total),
                _number(round(row.progress * 100, 1)),
                *(_number(cell.score) for cell in row.cells),
            ]
        )
    return response


# --- one learner's submissions of one exercise ---------------------------------------


class ScoreOverrideForm(forms.Form):
    score = forms.FloatField(min_value=0, label="Score")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Reason",
        help_text="The learner sees it beside the score.",
    )


@dataclass(frozen=True)
class LearnerExercise:
    classroom: Classroom
    learner: User
    exercise: Exercise


def _learner_exercise_or_404(
    request: HttpRequest, classroom_id: int, user_id: int, exercise_slug: str
) -> LearnerExercise:
    classroom = _classroom_or_404(request, classroom_id)
    learner = class_learners(classroom=classroom).filter(pk=user_id).first()
    exercise = (
        Exercise.objects.select_related("lesson__course")
        .filter(course=classroom.course, slug=exercise_slug)
        .first()
    )
    if learner is None or exercise is None:
        raise Http404("No such learner in this class, or no such exercise in its course.")
    return LearnerExercise(classroom=classroom, learner=learner, exercise=exercise)


def _page_url(found: LearnerExercise) -> str:
    return reverse(
        "teaching:learner_exercise",
        args=[found.classroom.pk, found.learner.pk, found.exercise.slug],
    )


def _submission_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _render_learner_exercise(
    request: HttpRequest,
    found: LearnerExercise,
    *,
    form: ScoreOverrideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page: the learner's submissions (the history table of grader's
    pages), one submission's result and code (?submission=), the changes
    between two (?old=&new=), and the scores set by hand with the form to set one."""
    page_url = _page_url(found)
    history = submission_history(user=found.learner, exercise=found.exercise).select_related(
        "exercise", "submitted_by", "regrade_of"
    )
    page = Paginator(history, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))

    def row_url(submission: Submission) -> str:
        return f"{page_url}?submission={submission.id}"

    context: dict[str, Any] = {
        "classroom": found.classroom,
        "learner": found.learner,
        "exercise": found.exercise,
        "page": page,
        "rows": [submission_row(submission=s, url=row_url(s)) for s in page],
        "page_url": page_url,
        "overrides": [
            override
            for override in learner_score_overrides(user=found.learner, exercise=found.exercise)
            if override.classroom_id == found.classroom.pk
        ],
        "form": form or ScoreOverrideForm(),
        "refusal": "",
    }
    shown = _submission_id(request.GET.get("submission"))
    if shown is not None:
        submission = submission_history_get(
            user=found.learner, exercise=found.exercise, submission_id=shown
        )
        if submission is None:
            context["refusal"] = "That submission is not one of this learner's of this exercise."
            status = 404
        else:
            previous = submission_previous(submission=submission)
            context["review"] = submission_review(submission=submission, url=row_url(submission))
            context["previous"] = (
                submission_row(submission=previous, url=row_url(previous)) if previous else None
            )
    old_id, new_id = _submission_id(request.GET.get("old")), _submission_id(request.GET.get("new"))
    if old_id is not None and new_id is not None:
        old = submission_history_get(
            user=found.learner, exercise=found.exercise, submission_id=old_id
        )
        new = submission_history_get(
            user=found.learner, exercise=found.exercise, submission_id=new_id
        )
        if old is None or new is None or old_id == new_id:
            context["refusal"] = "Pick two different submissions of this learner to compare."
            status = 404 if old is None or new is None else 400
        else:
            context["sides"] = [
                ("Before", submission_row(submission=old, url=row_url(old))),
                ("After", submission_row(submission=new, url=row_url(new))),
            ]
            context["files"] = files_diff(old=old.files, new=new.files)
    return render(request, "teaching/learner_exercise.html", context, status=status)


@require_safe
@login_required
def learner_exercise(
    request: HttpRequest, classroom_id: int, user_id: int, exercise_slug: str
) -> HttpResponse:
    found = _learner_exercise_or_404(request, classroom_id, user_id, exercise_slug)
    return _render_learner_exercise(request, found)


@require_POST
@login_required
def score_override(
    request: HttpRequest, classroom_id: int, user_id: int, exercise_slug: str
) -> HttpResponse:
    """Set the learner's score by hand, with the reason; back to their page. A
    refused score shows the page again with what to fix."""
    found = _learner_exercise_or_404(request, classroom_id, user_id, exercise_slug)
    assert isinstance(request.user, User)  # login_required
    form = ScoreOverrideForm(request.POST)
    if not form.is_valid():
        return _render_learner_exercise(request, found, form=form, status=400)
    try:
        override = score_override_set(
            classroom=found.classroom,
            user_id=found.learner.pk,
            exercise=found.exercise,
            score=form.cleaned_data["score"],
            reason=form.cleaned_data["reason"],
            set_by=request.user,
        )
    except ClassRefused as refusal:
        at_fault: list[str | None] = [name for name in refusal.fields if name in form.fields]
        for name in at_fault or [None]:
            form.add_error(name, refusal.message)
        return _render_learner_exercise(request, found, form=form, status=refusal.status)
    messages.success(
        request,
        f"{found.learner.get_username()}'s score for “{found.exercise.title}” is now "
        f"{override.score:g} of {found.exercise.max_score:g}.",
    )
    return redirect(_page_url(found))
