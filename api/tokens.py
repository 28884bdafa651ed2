"""POST /api/v1/tokens: a token made from a username and password, for a CLI or
CI that has no browser (`lectern login`). The only endpoint without a token.

Like the rest of the API it is CSRF-exempt: it reads no cookie, and its body
must be JSON with a JSON Content-Type (api/request_bodies.py), which a page of
another site cannot send without a CORS preflight this site never allows.
"""

from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.debug import sensitive_variables
from ninja import Field, Router, Schema
from pydantic import SecretStr

from accounts.services import (
    PASSWORD_TOKEN_DAYS_DEFAULT,
    SIGN_IN_ATTEMPTS_MAX,
    SIGN_IN_WINDOW_SECONDS,
    ApiTokenInvalid,
    CredentialsRejected,
    SignInThrottled,
    api_token_create_with_password,
)
from api.errors import error_json
from api.schemas import ErrorOut

router = Router(tags=["tokens"])
EXPIRES_DAYS_MAX = 3650


class TokenCreateIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    # SecretStr: its repr is '**********', so a logged or printed body hides it.
    password: SecretStr = Field(..., min_length=1, max_length=4096)
    name: str = Field(
        ..., min_length=1, max_length=100, description="What uses it, e.g. the machine's name."
    )
    expires_days: int | None = Field(
        None,
        ge=1,
        le=EXPIRES_DAYS_MAX,
        description=f"Days until it expires; {PASSWORD_TOKEN_DAYS_DEFAULT} when not given.",
    )


class TokenCreatedOut(Schema):
    token: str = Field(..., description="The token (lct_…), shown this once only.")
    signing_secret: str = Field(..., description="Verifies the callbacks of its submissions.")
    name: str
    username: str
    expires_at: datetime | None


@router.post(
    "/tokens",
    auth=None,
    response={
        201: TokenCreatedOut,
        400: ErrorOut,
        401: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Make a token with a username and password",
    description=(
        "For a command line or CI without a browser. Answers 201 with the new token, "
        "shown once; 401 `invalid_credentials` for a wrong username or password. At most "
        f"{SIGN_IN_ATTEMPTS_MAX} attempts per username and client address in "
        f"{SIGN_IN_WINDOW_SECONDS // 60} minutes, then 429 `rate_limited` with Retry-After."
    ),
)
@sensitive_variables("payload", "password")
def token_create(request: HttpRequest, payload: TokenCreateIn) -> HttpResponse:
    password = payload.password.get_secret_value()
    try:
        created = api_token_create_with_password(
            request=request,
            username=payload.username,
            password=password,
            name=payload.name,
            client_ip=request.META.get("REMOTE_ADDR") or "",
            expires_days=payload.expires_days,
        )
    except SignInThrottled as throttled:
        return error_json(
            throttled.code, throttled.message, status=429, retry_after=throttled.retry_after
        )
    except CredentialsRejected as rejected:
        return error_json(rejected.code, rejected.message, status=401)
    except ApiTokenInvalid as invalid:
        fields = {invalid.field: invalid.message} if invalid.field else None
        return error_json("validation_error", invalid.message, status=422, fields=fields)
    body = TokenCreatedOut(
        token=created.raw_token,
        signing_secret=created.signing_secret,
        name=created.token.name,
        username=created.token.user.get_username(),
        expires_at=created.token.expires_at,
    )
    return JsonResponse(body.model_dump(mode="json"), status=201)
