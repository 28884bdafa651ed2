"""The class pages (docs/instructors.md): the classes an instructor teaches,
one class with its join code, instructors, learners, due dates and
extensions, and joining a class with its code.

An instructor page finds its class through classes.selectors.classroom_taught
and answers 404 to anyone who does not teach it, so as not to tell that it
exists. Changes are POSTs that redirect back (a refusal is shown on the form
that sent it, with the refusal's status, and nothing is stored).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from classes import services
from classes.forms import (
    ClassroomCreateForm,
    DueDateForm,
    ExtensionForm,
    InstructorAddForm,
    JoinForm,
    JoiningForm,
)
from classes.models import Classroom, Membership
from classes.selectors import class_learners, classes_taught, classroom_taught, due_dates_get
from classes.services import ClassRefused
from lessons.models import Course, Exercise, Module
from lessons.selectors import course_modules


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


# --- An instructor's classes ---------------------------------------------------------------


def _create_form_id(course_id: object) -> str:
    # Several create forms on one page: each its own field ids.
    return f"id_course{course_id}_%s"


@login_required
@require_http_methods(["GET", "POST"])
def teach(request: HttpRequest) -> HttpResponse:
    """The classes the user teaches, and a form to create one for each course they teach."""
    user = _user(request)
    courses = list(Course.objects.filter(instructors=user))
    sent: ClassroomCreateForm | None = None
    status = 200
    if request.method == "POST":
        sent = ClassroomCreateForm(request.POST)
        if sent.is_valid():
            data = sent.cleaned_data
            try:
                created = services.classroom_create(
                    course=data["course"],
                    name=data["name"],
                    created_by=user,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ClassRefused as refusal:
                sent.add_refusal(refusal)
                status = refusal.status
            else:
                messages.success(
                    request,
                    f"The class “{created.name}” is created. Give your learners its invite "
                    "link or join code.",
                )
                return redirect("classes:classroom", classroom_id=created.pk)
        else:
            status = 400
    create_forms = []
    for course in courses:
        form = ClassroomCreateForm(
            initial={"course": course.pk}, auto_id=_create_form_id(course.pk)
        )
        if sent is not None and sent.data.get("course") == str(course.pk):
            # The form that was sent, with what was typed and what is wrong with it.
            sent.auto_id = form.auto_id
            form = sent
        create_forms.append((course, form))
    # A refusal for a course the user does not teach has no form of its own on the page.
    shown = any(form is sent for _, form in create_forms)
    stray = sent if sent is not None and not shown else None
    context = {
        "classes": classes_taught(user=user).annotate(
            learner_count=Count("memberships", distinct=True)
        ),
        "create_forms": create_forms,
        "stray_form": stray,
    }
    return render(request, "classes/teach.html", context, status=status)


# --- One class -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    """A module or an exercise of the course, with the class's due date for it."""

    target: str
    title: str
    is_module: bool
    due_at: datetime | None


@dataclass(frozen=True)
class ExtensionRow:
    learner: User
    target: str
    title: str
    due_at: datetime


@dataclass(frozen=True)
class CourseParts:
    modules: list[Module]
    exercises: list[Exercise]


def _course_parts(course: Course) -> CourseParts:
    modules = course_modules(course=course)
    module_order = {module.pk: index for index, module in enumerate(modules)}
    exercises = sorted(
        Exercise.objects.filter(course=course, lesson__isnull=False).select_related("lesson"),
        key=lambda exercise: (
            module_order.get(exercise.lesson.module_id if exercise.lesson else 0, 0),
            exercise.lesson.order if exercise.lesson else 0,
            exercise.order,
            exercise.slug,
        ),
    )
    return CourseParts(modules=modules, exercises=exercises)


def _taught_or_404(request: HttpRequest, classroom_id: int) -> Classroom:
    classroom = classroom_taught(user=request.user, classroom_id=classroom_id)
    if classroom is None:
        raise Http404("No such class.")
    return classroom


def _classroom_page(
    request: HttpRequest,
    classroom: Classroom,
    *,
    status: int = 200,
    problem: str = "",
    instructor_form: InstructorAddForm | None = None,
    due_date_form: DueDateForm | None = None,
    extension_form: ExtensionForm | None = None,
) -> HttpResponse:
    parts = _course_parts(classroom.course)
    learners = list(class_learners(classroom=classroom))
    dates = due_dates_get(classroom=classroom)
    due_rows: list[DueRow] = []
    for module in parts.modules:
        due_rows.append(
            DueRow(
                target=f"module:{module.slug}",
                title=module.title,
                is_module=True,
                due_at=dates.for_module.get(module.pk),
            )
        )
        due_rows.extend(
            DueRow(
                target=f"exercise:{exercise.slug}",
                title=exercise.title,
                is_module=False,
                due_at=dates.for_exercise.get(exercise.pk),
            )
            for exercise in parts.exercises
            if exercise.lesson and exercise.lesson.module_id == module.pk
        )
    by_user = {learner.pk: learner for learner in learners}
    modules = {module.pk: module for module in parts.modules}
    exercises = {exercise.pk: exercise for exercise in parts.exercises}
    extension_rows = [
        ExtensionRow(by_user[user_id], f"module:{modules[pk].slug}", modules[pk].title, due)
        for (user_id, pk), due in dates.extended_module.items()
        if user_id in by_user and pk in modules
    ] + [
        ExtensionRow(by_user[user_id], f"exercise:{exercises[pk].slug}", exercises[pk].title, due)
        for (user_id, pk), due in dates.extended_exercise.items()
        if user_id in by_user and pk in exercises
    ]
    extension_rows.sort(key=lambda row: (row.learner.get_username(), row.due_at))
    targets: dict[str, Any] = {"modules": parts.modules, "exercises": parts.exercises}
    context = {
        "classroom": classroom,
        "invite_url": request.build_absolute_uri(
            reverse("classes:join_code", kwargs={"code": classroom.join_code})
        ),
        "instructors": classroom.instructors.order_by("username"),
        "memberships": Membership.objects.filter(classroom=classroom)
        .select_related("user")
        .order_by("user__username"),
        "due_rows": due_rows,
        "extension_rows": extension_rows,
        "problem": problem,
        "instructor_form": instructor_form or InstructorAddForm(),
        "due_date_form": due_date_form or DueDateForm(**targets),
        "extension_form": extension_form or ExtensionForm(learners=learners, **targets),
    }
    return render(request, "classes/classroom.html", context, status=status)


@login_required
@require_safe
def classroom(request: HttpRequest, classroom_id: int) -> HttpResponse:
    return _classroom_page(request, _taught_or_404(request, classroom_id))


def _back(classroom: Classroom, part: str) -> HttpResponse:
    return redirect(f"{reverse('classes:classroom', args=[classroom.pk])}#{part}")


@login_required
@require_POST
def joining(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Open or close joining with the code."""
    found = _taught_or_404(request, classroom_id)
    form = JoiningForm(request.POST)
    if not form.is_valid():
        return _classroom_page(request, found, status=400, problem="Say whether to open joining.")
    services.joining_set(classroom=found, is_open=form.cleaned_data["joining_open"])
    if found.joining_open:
        messages.success(request, "Joining is open: learners can join with the code or link.")
    else:
        messages.success(request, "Joining is closed: nobody new can join until you open it.")
    return _back(found, "joining")


@login_required
@require_POST
def instructor_add(request: HttpRequest, classroom_id: int) -> HttpResponse:
    found = _taught_or_404(request, classroom_id)
    form = InstructorAddForm(request.POST)
    if form.is_valid():
        try:
            added = services.instructor_add(classroom=found, username=form.cleaned_data["username"])
        except ClassRefused as refusal:
            form.add_refusal(refusal)
            return _classroom_page(request, found, status=refusal.status, instructor_form=form)
        messages.success(request, f"{added.get_username()} now teaches this class with you.")
        return _back(found, "instructors")
    return _classroom_page(request, found, status=400, instructor_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def learner_remove(request: HttpRequest, classroom_id: int, user_id: int) -> HttpResponse:
    """GET asks to confirm; POST takes the learner out of the class."""
    found = _taught_or_404(request, classroom_id)
    membership = (
        Membership.objects.filter(classroom=found, user_id=user_id).select_related("user").first()
    )
    if membership is None:
        raise Http404("That user is not a learner of this class.")
    if request.method == "POST":
        services.learner_remove(classroom=found, user_id=user_id)
        messages.success(
            request,
            f"{membership.user.get_username()} is no longer in this class. Their "
            "submissions and progress stay theirs.",
        )
        return _back(found, "learners")
    return render(
        request, "classes/learner_remove.html", {"classroom": found, "membership": membership}
    )


@login_required
@require_POST
def due_date_set(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Set or clear the class's due date for a module or an exercise."""
    found = _taught_or_404(request, classroom_id)
    parts = _course_parts(found.course)
    form = DueDateForm(request.POST, modules=parts.modules, exercises=parts.exercises)
    if form.is_valid():
        try:
            deadline = services.deadline_set(
                classroom=found, due_at=form.due_at_value(), **form.target_slugs()
            )
        except ClassRefused as refusal:
            form.add_refusal(refusal)
            return _classroom_page(request, found, status=refusal.status, due_date_form=form)
        messages.success(
            request, "The due date is set." if deadline else "The due date is cleared."
        )
        return _back(found, "due-dates")
    return _classroom_page(request, found, status=400, due_date_form=form)


@login_required
@require_POST
def extension_set(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Grant or clear one learner's own due date for a module or an exercise."""
    found = _taught_or_404(request, classroom_id)
    parts = _course_parts(found.course)
    form = ExtensionForm(
        request.POST,
        learners=list(class_learners(classroom=found)),
        modules=parts.modules,
        exercises=parts.exercises,
    )
    if form.is_valid():
        try:
            extension = services.extension_grant(
                classroom=found,
                user_id=form.cleaned_data["learner"],
                due_at=form.due_at_value(),
                granted_by=_user(request),
                **form.target_slugs(),
            )
        except ClassRefused as refusal:
            form.add_refusal(refusal)
            return _classroom_page(request, found, status=refusal.status, extension_form=form)
        messages.success(
            request, "The extension is granted." if extension else "The extension is cleared."
        )
        return _back(found, "extensions")
    return _classroom_page(request, found, status=400, extension_form=form)


# --- Joining ---------------------------------------------------------------------------------


def _joined(request: HttpRequest, classroom: Classroom) -> HttpResponse:
    messages.success(
        request,
        f"You are in the class “{classroom.name}”. Its due dates show on this page and "
        "beside each exercise.",
    )
    return redirect(classroom.course)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Type a class's join code and join it."""
    form = JoinForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                found = services.classroom_join(user=_user(request), code=form.cleaned_data["code"])
            except ClassRefused as refusal:
                form.add_refusal(refusal)
                status = refusal.status
            else:
                return _joined(request, found)
        else:
            status = 400
    return render(request, "classes/join.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join_code(request: HttpRequest, code: str) -> HttpResponse:
    """The invite link: GET shows the class and a Join button, and never joins; POST joins."""
    user = _user(request)
    refusal: ClassRefused | None = None
    if request.method == "POST":
        try:
            joined = services.classroom_join(user=user, code=code)
        except ClassRefused as refused:
            refusal = refused
        else:
            return _joined(request, joined)
    found = (
        Classroom.objects.filter(join_code=services.join_code_normalize(code))
        .select_related("course")
        .first()
    )
    # What a Join would answer, shown before it is pressed (classroom_join decides).
    state, status = "open", 200
    if found is None:
        state, status = "unknown", 404
    elif found.memberships.filter(user=user).exists():
        state = "member"
    elif found.instructors.filter(pk=user.pk).exists():
        state, status = "instructor", 409
    elif not found.joining_open:
        state, status = "closed", 403
    if refusal is not None:
        status = refusal.status
    context = {
        "classroom": found,
        "code": code,
        "state": state,
        "refusal": refusal,
        "form": JoinForm(initial={"code": code}) if found is None else None,
    }
    return render(request, "classes/join_code.html", context, status=status)
