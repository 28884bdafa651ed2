"""Submissions and try sessions, for operators to look up (never to edit: the
grader owns them; docs/deploy.md, "The admin")."""

from django.contrib import admin

from config.read_only_admin import ReadOnlyAdmin
from grader.models import Regrade, Submission, TrySession


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    read_only_because = "Submissions are the grader's record: they are read here, never changed."
    list_display = [
        "id",
        "exercise",
        "user",
        "mode",
        "status",
        "result_status",
        "score",
        "max_score",
        "created_at",
    ]
    list_filter = ["status", "mode", "result_status", "source", "priority", "exercise"]
    search_fields = ["id", "user__username", "exercise__slug"]
    date_hierarchy = "created_at"
    list_select_related = ["exercise", "user"]


@admin.register(TrySession)
class TrySessionAdmin(ReadOnlyAdmin):
    read_only_because = "A learner's Try your API session, as it was."
    list_display = ["user", "exercise", "started_at", "ended_at", "requests"]
    search_fields = ["user__username", "exercise__slug"]
    list_select_related = ["exercise", "user"]


@admin.register(Regrade)
class RegradeAdmin(ReadOnlyAdmin):
    read_only_because = (
        "An instructor's regrade (docs/instructors.md): started and cancelled on the "
        "class's regrade page; its submissions are listed under Submissions."
    )
    list_display = ["exercise", "classroom", "which", "requested_by", "created_at", "cancelled_at"]
    list_filter = ["which"]
    list_select_related = ["exercise", "classroom", "requested_by"]
