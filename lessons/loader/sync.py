"""The second phase of a load, and the only part of the loader that writes to
the database: one transaction brings it in line with checked content. What is
new is created, what changed is updated, what did not change is left alone,
and what is gone is removed (or kept, off the site, where submissions need it).
"""

from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, ProtectedError

from lessons.loader.check import ContentCheck, content_check, folder_check
from lessons.loader.parse import CourseSpec
from lessons.loader.report import ContentInvalid, LoadCounts, LoadReport
from lessons.models import Course, Exercise, Lesson, Module


def content_load(*, root: Path) -> LoadReport:
    """Load every course folder under `root`; courses no longer there are removed."""
    return content_write(check=folder_check(Path(root), whole_site=True))


def course_load(*, path: Path) -> LoadReport:
    """Load one course folder; other courses in the database are left alone."""
    return content_write(check=folder_check(Path(path), whole_site=False))


def path_load(*, path: Path) -> LoadReport:
    """Load a course folder (one with a course.md) as course_load does, or a
    folder of courses as content_load does."""
    return content_write(check=content_check(path=path))


def content_write(*, check: ContentCheck) -> LoadReport:
    """Bring the database in line with checked content, in one transaction.

    A folder of courses also removes the courses that are not in it. Raises
    ContentInvalid, writing nothing, when the check found problems.
    """
    if check.errors:
        raise ContentInvalid(check.errors)
    return _courses_write(check.courses, prune_courses=check.whole_site)


_M = TypeVar("_M", bound=Model)


def _upsert(
    model: type[_M], lookup: dict[str, Any], values: dict[str, Any], counts: LoadCounts
) -> _M:
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        counts.created += 1
        return model._default_manager.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        counts.unchanged += 1
        return instance
    for name in changed:
        setattr(instance, name, values[name])
    instance.save(update_fields=changed)
    counts.updated += 1
    return instance


def _courses_write(specs: list[CourseSpec], *, prune_courses: bool) -> LoadReport:
    report = LoadReport()
    with transaction.atomic():
        _slug_clashes_check(specs, whole_site=prune_courses)
        exercise_slugs = {slug for spec in specs for slug in spec.exercises}
        courses = [_course_write(spec, report) for spec in specs]
        # Removals come after every upsert, so that an exercise that moved to
        # another course is already there when its old course goes.
        for spec, course in zip(specs, courses, strict=True):
            _course_prune(spec, course, report, exercise_slugs=exercise_slugs)
        if prune_courses:
            for course in Course.objects.exclude(slug__in=[spec.slug for spec in specs]):
                _course_remove(course, report)
    return report


def _slug_clashes_check(specs: list[CourseSpec], *, whole_site: bool) -> None:
    if whole_site:
        # Every course is being loaded, so an exercise can move between them.
        return
    errors = []
    for spec in specs:
        clashes = Exercise.objects.filter(slug__in=list(spec.exercises)).exclude(
            course__slug=spec.slug
        )
        for exercise in clashes.select_related("course"):
            errors.append(
                spec.exercises[exercise.slug].front.error(
                    f"exercise slug {exercise.slug!r} is already used by course "
                    f"{exercise.course.slug!r}; exercise slugs are unique across all courses",
                    "slug",
                )
            )
    if errors:
        raise ContentInvalid(errors)


def _course_write(spec: CourseSpec, report: LoadReport) -> Course:
    course = _upsert(Course, {"slug": spec.slug}, spec.values, report.courses)
    for module_spec in spec.modules:
        module = _upsert(
            Module,
            {"course_id": course.id, "slug": module_spec.slug},
            module_spec.values,
            report.modules,
        )
        for lesson_spec in module_spec.lessons:
            lesson = _upsert(
                Lesson,
                {"course_id": course.id, "slug": lesson_spec.slug},
                {**lesson_spec.values, "module_id": module.id},
                report.lessons,
            )
            for exercise_slug in lesson_spec.exercise_slugs:
                exercise_spec = spec.exercises[exercise_slug]
                values = {
                    **exercise_spec.values,
                    "course_id": course.id,
                    "lesson_id": lesson.id,
                    "order": exercise_spec.order,
                }
                _upsert(Exercise, {"slug": exercise_slug}, values, report.exercises)
    return course


def _course_prune(
    spec: CourseSpec, course: Course, report: LoadReport, *, exercise_slugs: set[str]
) -> None:
    gone = Exercise.objects.filter(course=course).exclude(slug__in=exercise_slugs)
    for exercise in gone:
        _exercise_remove(exercise, report)
    lesson_slugs = [lesson.slug for module in spec.modules for lesson in module.lessons]
    lessons = Lesson.objects.filter(course=course).exclude(slug__in=lesson_slugs)
    report.lessons.deleted += lessons.count()
    lessons.delete()
    modules = Module.objects.filter(course=course).exclude(slug__in=[m.slug for m in spec.modules])
    report.modules.deleted += modules.count()
    modules.delete()


def _exercise_remove(exercise: Exercise, report: LoadReport) -> None:
    try:
        # A savepoint, so a refused delete leaves the outer transaction usable.
        with transaction.atomic():
            exercise.delete()
    except ProtectedError:
        # Submissions point at it: keep it for their sake, but off the site.
        if exercise.lesson_id is not None:
            exercise.lesson = None
            exercise.save(update_fields=["lesson"])
        report.kept.append(
            f"exercise {exercise.slug!r} (it has submissions; no longer in any lesson)"
        )
    else:
        report.exercises.deleted += 1


def _course_remove(course: Course, report: LoadReport) -> None:
    for exercise in Exercise.objects.filter(course=course):
        _exercise_remove(exercise, report)
    report.lessons.deleted += Lesson.objects.filter(course=course).count()
    report.modules.deleted += Module.objects.filter(course=course).count()
    if Exercise.objects.filter(course=course).exists():
        # Kept exercises still need their course row; empty it instead.
        Lesson.objects.filter(course=course).delete()
        Module.objects.filter(course=course).delete()
        report.kept.append(f"course {course.slug!r} (it has exercises with submissions)")
        return
    course.delete()
    report.courses.deleted += 1
