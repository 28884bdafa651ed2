"""Read-only queries of the content: the courses, lessons and exercises offered."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from lessons.models import Course, Exercise, Lesson, Module


def exercises_offered() -> QuerySet[Exercise]:
    """The exercises learners may work on and submit to: those of a lesson of
    the current content. One that a content reload took out of every lesson
    keeps its submissions (and their history pages) but is no longer offered."""
    return Exercise.objects.filter(lesson__isnull=False).select_related(
        "course", "lesson", "lesson__course"
    )


def exercise_offered_get(*, slug: str) -> Exercise | None:
    return exercises_offered().filter(slug=slug).first()


def course_list() -> QuerySet[Course]:
    """Courses with at least one lesson (a course kept only for old submissions has none)."""
    return (
        Course.objects.annotate(lesson_count=Count("lessons"))
        .filter(lesson_count__gt=0)
        .order_by("order", "slug")
    )


def course_get(*, slug: str) -> Course:
    """Raises Course.DoesNotExist."""
    return course_list().get(slug=slug)


def course_modules(*, course: Course) -> list[Module]:
    """The course's modules in order, each with `.lessons.all()` prefetched in order."""
    lessons = Lesson.objects.order_by("order", "slug")
    return list(
        Module.objects.filter(course=course)
        .order_by("order", "slug")
        .prefetch_related(Prefetch("lessons", queryset=lessons))
    )


def course_lessons(*, course: Course) -> list[Lesson]:
    """Every lesson of the course in reading order."""
    return list(
        Lesson.objects.filter(course=course)
        .select_related("module")
        .order_by("module__order", "module__slug", "order", "slug")
    )


@dataclass(frozen=True)
class LessonPage:
    lesson: Lesson
    previous: Lesson | None
    next: Lesson | None
    exercises: list[Exercise]


def lesson_page_get(*, course_slug: str, lesson_slug: str) -> LessonPage:
    """A lesson with its neighbours and exercises. Raises Lesson.DoesNotExist."""
    course = course_get(slug=course_slug)
    lessons = course_lessons(course=course)
    slugs = [lesson.slug for lesson in lessons]
    if lesson_slug not in slugs:
        raise Lesson.DoesNotExist(f"no lesson {lesson_slug!r} in course {course_slug!r}")
    index = slugs.index(lesson_slug)
    lesson = lessons[index]
    lesson.course = course
    return LessonPage(
        lesson=lesson,
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        exercises=list(lesson.exercises.order_by("order", "slug")),
    )
