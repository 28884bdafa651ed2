"""Learners' progress, lesson visits and answers to questions, for operators to
look up. Drafts are left out: they are a learner's unsent code, theirs alone."""

from django.contrib import admin

from config.read_only_admin import ReadOnlyAdmin
from learning.models import ExerciseProgress, LessonVisit, QuestionAnswer

PROGRESS_IS_DERIVED = (
    "Progress is written by the grader as Submits are graded (docs/learners.md): "
    "it is read here, never changed."
)


@admin.register(ExerciseProgress)
class ExerciseProgressAdmin(ReadOnlyAdmin):
    read_only_because = PROGRESS_IS_DERIVED
    list_display = ["user", "exercise", "attempts", "best_score", "max_score", "completed"]
    list_filter = ["completed", "exercise__course", "exercise"]
    search_fields = ["user__username", "exercise__slug"]
    list_select_related = ["exercise", "user"]


@admin.register(LessonVisit)
class LessonVisitAdmin(ReadOnlyAdmin):
    read_only_because = PROGRESS_IS_DERIVED
    list_display = ["user", "lesson", "first_visited_at", "last_visited_at", "done_at"]
    list_filter = ["lesson__course"]
    search_fields = ["user__username", "lesson__slug"]
    list_select_related = ["lesson", "user"]


@admin.register(QuestionAnswer)
class QuestionAnswerAdmin(ReadOnlyAdmin):
    read_only_because = PROGRESS_IS_DERIVED
    list_display = ["user", "lesson", "question_id", "correct", "attempts", "answered_at"]
    list_filter = ["correct", "lesson__course"]
    search_fields = ["user__username", "lesson__slug", "question_id"]
    list_select_related = ["lesson", "user"]
