"""Read-mostly admin: content is edited on disk and loaded with `load_lessons`,
so the admin is for looking things up, not for authoring."""

from django.contrib import admin

from lessons.models import Course, Exercise, Lesson, Module


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "order"]
    search_fields = ["title", "slug"]
    # The one thing edited here: who teaches the course (the API's on-behalf right).
    filter_horizontal = ["instructors"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "course", "order"]
    list_filter = ["course"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "course", "module", "order"]
    list_filter = ["course"]
    search_fields = ["title", "slug"]


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "course", "lesson", "order"]
    list_filter = ["course"]
    search_fields = ["title", "slug"]
