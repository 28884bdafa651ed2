"""Bearer-token authentication of the API (personal access tokens, accounts/)."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from accounts.models import ApiToken
from accounts.services import ApiTokenRejected, api_token_authenticate


class TokenRejected(Exception):
    """An Authorization header with a token that does not authenticate: 401."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token.strip():
            return None  # no token at all: authentication_required
        try:
            api_token = api_token_authenticate(raw_token=token.strip())
        except ApiTokenRejected as rejected:
            raise TokenRejected(rejected.code, rejected.message) from None
        # The rest of Django (and logging) sees who is calling.
        request.user = api_token.user
        return api_token


def request_token(request: HttpRequest) -> ApiToken:
    """The token that authenticated this request (the endpoint requires one)."""
    token = getattr(request, "auth", None)
    assert isinstance(token, ApiToken)
    return token
