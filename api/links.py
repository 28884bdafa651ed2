"""Absolute URLs for the request being answered (documents carry full links)."""

from django.http import HttpRequest

from api.selectors import Links


def links_for(request: HttpRequest) -> Links:
    base = request.build_absolute_uri("/").rstrip("/")
    ws_base = ("wss://" if request.is_secure() else "ws://") + request.get_host()
    return Links(base=base, ws_base=ws_base)
