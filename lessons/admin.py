"""Content, read-only: it is written on disk and loaded with `load_lessons`,
which would overwrite any change made here, so the admin is for looking
things up, not for authoring (docs/authoring.md)."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from config.read_only_admin import ReadOnlyAdmin
from lessons.models import Course, Exercise, Lesson, Module

FROM_THE_COURSE_FOLDER = (
    "This comes from the course folder: change the files and run load_lessons. "
    "A change made here would be overwritten by the next load, so none can be."
)


class ContentAdmin(ReadOnlyAdmin):
    read_only_because = FROM_THE_COURSE_FOLDER


@admin.register(Course)
class CourseAdmin(ContentAdmin):
    list_display = ["title", "slug", "order"]
    search_fields = ["title", "slug"]
    # The one thing edited here: who teaches the course (the API's on-behalf
    # right), which is not in the course folder.
    filter_horizontal = ["instructors"]
    read_only_because = (
        "Only its instructors can be changed here; the rest comes from the course "
        "folder (change the files and run load_lessons)."
    )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [field.name for field in Course._meta.fields]


@admin.register(Module)
class ModuleAdmin(ContentAdmin):
    list_display = ["title", "slug", "course", "order"]
    list_filter = ["course"]


@admin.register(Lesson)
class LessonAdmin(ContentAdmin):
    list_display = ["title", "slug", "course", "module", "order"]
    list_filter = ["course"]


@admin.register(Exercise)
class ExerciseAdmin(ContentAdmin):
    list_display = ["title", "slug", "course", "lesson", "order"]
    list_filter = ["course"]
    search_fields = ["title", "slug"]
