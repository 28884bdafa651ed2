"""JSON instead of Django's HTML for the errors under /api/ that no endpoint
answers itself: an unknown path (404), a method an endpoint does not take
(405, with its Allow header), an exception outside the API's handlers (500)."""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from api.errors import error_json

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
MESSAGES = {
    404: ("not_found", "No such endpoint; the endpoints are listed at /api/v1/docs."),
    405: ("method_not_allowed", "This endpoint does not take that method; see /api/v1/docs."),
    500: ("internal_error", "Something went wrong on our side; it has been logged."),
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in MESSAGES:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = MESSAGES[response.status_code]
        replacement = error_json(code, message, status=response.status_code)
        if "Allow" in response:
            replacement["Allow"] = response["Allow"]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        logger.exception("API request %s %s failed", request.method, request.path)
        code, message = MESSAGES[500]
        return error_json(code, message, status=500)
