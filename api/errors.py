"""Every error of the API is JSON: {"error": {"code", "message", "fields"?}}.

The handlers below turn each kind of failure into its status and code; the last
one catches real bugs, logs them with their traceback and still answers JSON.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api.request_bodies import BodyNotJson
from config import refusals
from config.refusals import Refused

logger = logging.getLogger(__name__)

AUTH_HINT = (
    "Send your API token as 'Authorization: Bearer lct_…'; create one on your profile page "
    "(/accounts/tokens/)."
)
CODES_BY_STATUS = {
    400: "bad_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
}


def error_json(code: str, message: str, *, status: int, **details: Any) -> JsonResponse:
    """config/refusals.py's error document (`details`: its fields, retry_after),
    saying on a 401 which scheme to use (RFC 6750)."""
    response = refusals.error_json(code, message, status=status, **details)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lectern"'
    return response


def _field_name(location: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(part) for part in location[1:]]
    # The body is one parameter called `payload`; its name tells a client nothing.
    if location and location[0] == "body" and parts[:1] == ["payload"]:
        parts = parts[1:]
    return ".".join(parts) or str(location[0] if location else "body")


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), str(error.get("msg", "is invalid")))
    first = next(iter(fields.items()), ("body", "is invalid"))
    return error_json(
        "validation_error",
        f"{first[0]}: {first[1]}. See /api/v1/docs for the expected shape.",
        status=422,
        fields=fields,
    )


def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return error_json(
        exc.code, exc.message, status=exc.status, fields=exc.fields, retry_after=exc.retry_after
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return error_json("authentication_required", AUTH_HINT, status=401)
    # Ninja turns every failure of its body parser into this 400; the cause says which.
    if isinstance(exc.__cause__, BodyNotJson):
        sent = exc.__cause__.content_type or "no Content-Type"
        return error_json(
            "unsupported_media_type",
            f"The body must be JSON, sent with 'Content-Type: application/json' (not {sent}).",
            status=415,
        )
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return error_json(
            "invalid_json",
            'The body is not valid JSON; send an object like {"exercise": "…", "files": {…}}.',
            status=400,
        )
    code = CODES_BY_STATUS.get(exc.status_code, "error")
    return error_json(code, str(exc), status=exc.status_code)


def _request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; nothing of it was used.
    return error_json(
        "request_too_large",
        f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes, the most "
        f"this server reads; a submission's files may have {settings.SUBMISSION_MAX_BYTES} "
        "bytes in all.",
        status=413,
    )


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_json("not_found", "Nothing here; see /api/v1/docs.", status=404)


def _internal_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request %s %s failed", request.method, request.path, exc_info=exc)
    return error_json(
        "internal_error",
        "Something went wrong on our side; it has been logged. Try again later.",
        status=500,
    )


def errors_install(api: NinjaAPI) -> None:
    api.add_exception_handler(ValidationError, _validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(Refused, _refused)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, _http_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestDataTooBig, _request_too_big)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, _not_found)  # type: ignore[arg-type]
    api.add_exception_handler(Exception, _internal_error)  # type: ignore[arg-type]
