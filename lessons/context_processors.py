"""Template context for every page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lessons.content_watch import content_version


def author_mode(request: HttpRequest) -> dict[str, Any]:
    """In author mode (manage.py author), the version of the content the page shows."""
    if not settings.LESSONS_AUTHOR_MODE:
        return {"author_mode": False}
    return {"author_mode": True, "author_content_version": content_version()}
