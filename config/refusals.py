"""A request refused for a reason the client can fix, and its JSON answer:
{"error": {"code", "message", "fields"?}} with the status that fits.

Every app's refusals (a submission, a draft or hint request, an API token)
are Refused, so that the browser's endpoints and the API answer them the same
way. A leaf: every app may import it.
"""

import json
from typing import Any

from django.http import HttpRequest, JsonResponse


class Refused(Exception):
    """Bad input: nothing was stored. `code` is machine-readable, `message` says
    what to fix, `status` is the HTTP status that fits; `fields` names the
    fields at fault, `retry_after` the seconds after which the same request may
    succeed (HTTP Retry-After)."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        fields: dict[str, str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.fields = fields or {}
        self.retry_after = retry_after


def error_json(
    code: str,
    message: str,
    *,
    status: int,
    fields: dict[str, str] | None = None,
    retry_after: int | None = None,
) -> JsonResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    response = JsonResponse({"error": error}, status=status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def refusal_json(refusal: Refused) -> JsonResponse:
    return error_json(
        refusal.code,
        refusal.message,
        status=refusal.status,
        fields=refusal.fields,
        retry_after=refusal.retry_after,
    )


def request_json(request: HttpRequest) -> Any:
    """The request's body as JSON (None for an empty body), or None when it is not JSON:
    the endpoints refuse both alike, with invalid_json."""
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
