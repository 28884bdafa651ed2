"""Classes, their members, due dates, extensions and scores set by hand, for
operators to look up. Instructors change them on their class pages
(docs/instructors.md), where every change is checked; here they are only read,
so that an override's record, its reason and who set it, cannot be rewritten."""

from django.contrib import admin

from classes.models import Classroom, Deadline, Extension, Membership, ScoreOverride
from config.read_only_admin import ReadOnlyAdmin

ON_THE_CLASS_PAGE = "Instructors change this on the class's page (/teach/); it is read here."


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "joined_at"]
    readonly_fields = ["user", "joined_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Classroom)
class ClassroomAdmin(ReadOnlyAdmin):
    read_only_because = ON_THE_CLASS_PAGE
    list_display = ["name", "course", "join_code", "joining_open", "created_by", "created_at"]
    list_filter = ["course", "joining_open"]
    search_fields = ["name", "join_code", "instructors__username"]
    list_select_related = ["course", "created_by"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    read_only_because = ON_THE_CLASS_PAGE
    list_display = ["user", "classroom", "joined_at"]
    search_fields = ["user__username", "classroom__name"]
    list_select_related = ["user", "classroom"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    read_only_because = ON_THE_CLASS_PAGE
    list_display = ["classroom", "module", "exercise", "due_at"]
    list_select_related = ["classroom", "module", "exercise"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    read_only_because = ON_THE_CLASS_PAGE
    list_display = ["classroom", "user", "module", "exercise", "due_at", "granted_by"]
    search_fields = ["user__username"]
    list_select_related = ["classroom", "user", "module", "exercise", "granted_by"]


@admin.register(ScoreOverride)
class ScoreOverrideAdmin(ReadOnlyAdmin):
    read_only_because = (
        "A score an instructor set by hand, with the reason: never changed, a newer one "
        "replaces it and this one stays in the record."
    )
    list_display = ["user", "exercise", "score", "classroom", "set_by", "created_at"]
    list_filter = ["classroom"]
    search_fields = ["user__username", "exercise__slug", "reason"]
    list_select_related = ["user", "exercise", "classroom", "set_by"]
