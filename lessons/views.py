from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from lessons.content_watch import content_version


@require_safe
@never_cache
def author_version(request: HttpRequest) -> JsonResponse:
    """The content version, polled by open pages in author mode (manage.py author)."""
    if not settings.LESSONS_AUTHOR_MODE:
        raise Http404("Author mode is off.")
    return JsonResponse({"version": content_version()})
