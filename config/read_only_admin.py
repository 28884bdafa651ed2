"""An admin that shows and never changes: for records other code owns (the
grader's submissions, learners' progress, content loaded from the course
folder). Operators look things up; nothing here can add, change or delete."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    # Shown under the title of each record: why it cannot be changed here.
    read_only_because = ""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        context = {**(extra_context or {}), "subtitle": self.read_only_because}
        return super().change_view(request, object_id, form_url, extra_context=context)
