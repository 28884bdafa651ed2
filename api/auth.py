"""Bearer-token authentication of the API (personal access tokens, accounts/)."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from accounts.models import ApiToken
from accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> ApiToken | None:
        # Ninja's own __call__ logs a header with another scheme ("Token lct_…",
        # a bare token, Basic credentials) whole at ERROR under DEBUG: a secret
        # in the log. Here nothing of the header's value is logged; a wrong
        # scheme is only "no token" (401 authentication_required).
        scheme, _, token = request.headers.get(self.header, "").strip().partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token.strip():
            return None  # no token at all: authentication_required
        # A token that does not authenticate raises ApiTokenRejected: a 401
        # saying why (api/errors.py).
        api_token = api_token_authenticate(raw_token=token.strip())
        # The rest of Django (and logging) sees who is calling.
        request.user = api_token.user
        return api_token


def request_token(request: HttpRequest) -> ApiToken:
    """The token that authenticated this request (the endpoint requires one)."""
    token = getattr(request, "auth", None)
    assert isinstance(token, ApiToken)
    return token
