"""The API's request bodies are JSON, said so by their Content-Type.

Ninja's own parser reads any body as JSON, whatever it is labelled: a form post
or a text/plain body (what an HTML form or a "simple" cross-origin request
sends) would be taken as a submission. Here a body of another type, or of none,
is refused with 415 unsupported_media_type (api/errors.py).
"""

import json
from typing import cast

from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny


class BodyNotJson(Exception):
    """A body whose Content-Type is not JSON: 415."""

    def __init__(self, content_type: str) -> None:
        super().__init__(content_type)
        self.content_type = content_type


def media_type_is_json(content_type: str) -> bool:
    """application/json, or a JSON-based type such as application/merge-patch+json."""
    media_type = content_type.strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class JsonBodyParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        content_type = request.content_type or ""
        if not media_type_is_json(content_type):
            raise BodyNotJson(content_type)
        return cast(DictStrAny, json.loads(request.body))
