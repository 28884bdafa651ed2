"""Times in the visitor's own time zone: frontend/site.js stores the browser's
zone name (Intl.DateTimeFormat().resolvedOptions().timeZone) in a cookie, and
this middleware activates that zone for the request, so every `|date` in a
template shows local time. Without the cookie (the first page of a visit), or
with a name that is not a known zone, the request stays in UTC."""

import zoneinfo
from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# The same name is written in frontend/site.js.
TIME_ZONE_COOKIE = "lectern_tz"
# The longest IANA names are about 30 characters; anything longer is not one.
MAX_NAME_LENGTH = 64


@cache
def _known_zones() -> frozenset[str]:
    # Read once per process (about 50 ms): the set of names the system knows.
    return frozenset(zoneinfo.available_timezones())


def time_zone_from_name(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone of that IANA name, or None for anything else. Only names on the
    system's list are looked up, so a cookie can never make ZoneInfo open a
    path of its choosing (ZoneInfo("../../etc/passwd") would try)."""
    if not name or len(name) > MAX_NAME_LENGTH or name not in _known_zones():
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


class TimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = time_zone_from_name(request.COOKIES.get(TIME_ZONE_COOKIE))
        if zone is None:
            # A worker thread may still hold the zone of its previous request.
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)
