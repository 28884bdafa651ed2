"""Personal access tokens: make one (shown once), with a password too, check one,
revoke one."""

import hashlib
import math
import secrets
import string
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import ApiToken
from accounts.selectors import user_is_instructor
from config.refusals import Refused

# Recognisable prefixes: a secret scanner (or a person) can tell a leaked
# Lectern token from any other string, and a token from a signing secret.
TOKEN_PREFIX = "lct_"  # noqa: S105 - a prefix, not a secret
SECRET_PREFIX = "lcs_"  # noqa: S105 - a prefix, not a secret
# 40 characters from 62: about 238 bits, far beyond guessing.
_ALPHABET = string.ascii_letters + string.digits
_RANDOM_LENGTH = 40
NAME_MAX = 100
TOKENS_PER_USER_MAX = 50
# last_used_at is written at most this often per token: a busy CI would
# otherwise turn every read into a write.
LAST_USED_RESOLUTION = timedelta(seconds=60)
# A token made from a password (POST /api/v1/tokens) lives as long as the web
# page's default unless the request says otherwise.
PASSWORD_TOKEN_DAYS_DEFAULT = 90
# Password guessing: at most this many sign-ins per username and client address
# in a window; the window starts with the first one and a success closes it.
SIGN_IN_ATTEMPTS_MAX = 5
SIGN_IN_WINDOW_SECONDS = 15 * 60


class ApiTokenInvalid(Exception):
    """A token could not be made; `field` names the form field to fix."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ApiTokenRejected(Refused):
    """A presented token does not authenticate anyone (config/refusals.py)."""

    status = 401


class CredentialsRejected(Exception):
    """A username and password that do not sign anyone in (which of the two is
    wrong is not said: that would tell a guesser which usernames exist)."""

    code = "invalid_credentials"
    message = "Wrong username or password; check both, or reset the password on the site."


class SignInThrottled(Exception):
    """Too many sign-ins for one username from one address: try again later."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        self.message = f"Too many sign-in attempts for this username; try again in {retry_after} s."
        super().__init__(self.message)


@dataclass(frozen=True)
class NewApiToken:
    """A token just made: the only moment its secret values exist in the clear."""

    token: ApiToken
    raw_token: str
    signing_secret: str


def _random(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LENGTH))


def api_token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_create(
    *,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    scopes: Sequence[str] | None = None,
) -> NewApiToken:
    """Make a token for `user`. Raises ApiTokenInvalid saying what to change."""
    name = name.strip()
    if not name:
        raise ApiTokenInvalid(
            "Give the token a name, e.g. the machine or CI that uses it.", field="name"
        )
    if len(name) > NAME_MAX:
        raise ApiTokenInvalid(f"A name has at most {NAME_MAX} characters.", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiTokenInvalid("The expiry date must be in the future.", field="expires")
    wanted = sorted(set(scopes or []))
    unknown = [scope for scope in wanted if scope not in ApiToken.Scope.values]
    if unknown:
        raise ApiTokenInvalid(f"Unknown scope: {', '.join(unknown)}.", field="scopes")
    if ApiToken.Scope.SUBMIT_FOR_LEARNERS in wanted and not (
        user.is_superuser or user_is_instructor(user=user)
    ):
        raise ApiTokenInvalid(
            "Only instructors of a course may submit on behalf of learners.", field="scopes"
        )
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= TOKENS_PER_USER_MAX:
        raise ApiTokenInvalid(
            f"You have {TOKENS_PER_USER_MAX} tokens already; revoke one you no longer use."
        )
    raw_token = _random(TOKEN_PREFIX)
    signing_secret = _random(SECRET_PREFIX)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw_token[: len(TOKEN_PREFIX) + 6],
        token_hash=api_token_hash(raw_token),
        signing_secret=signing_secret,
        scopes=wanted,
        expires_at=expires_at,
    )
    return NewApiToken(token=token, raw_token=raw_token, signing_secret=signing_secret)


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if there is no such live token."""
    revoked = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return revoked == 1


def api_token_authenticate(*, raw_token: str) -> ApiToken:
    """The live token `raw_token` names, with its user; raises ApiTokenRejected."""
    if not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 200:
        raise ApiTokenRejected(
            "invalid_token", "That is not a Lectern API token (they begin with lct_)."
        )
    token = (
        ApiToken.objects.select_related("user").filter(token_hash=api_token_hash(raw_token)).first()
    )
    if token is None:
        raise ApiTokenRejected(
            "invalid_token", "Unknown token. Create one on your profile page (/accounts/tokens/)."
        )
    now = timezone.now()
    if token.revoked_at is not None:
        raise ApiTokenRejected(
            "token_revoked", "This token was revoked. Create a new one on /accounts/tokens/."
        )
    if token.expires_at is not None and token.expires_at <= now:
        raise ApiTokenRejected(
            "token_expired", "This token has expired. Create a new one on /accounts/tokens/."
        )
    if not token.user.is_active:
        raise ApiTokenRejected("account_disabled", "The account of this token is disabled.")
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    if ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
        token.last_used_at = now
    return token


def _sign_in_keys(*, username: str, client_ip: str) -> tuple[str, str]:
    # Hashed: any username is a valid cache key then (memcached refuses spaces).
    digest = hashlib.sha256(
        f"{username.casefold()}\0{client_ip}".encode("utf-8", "surrogatepass")
    ).hexdigest()
    return f"sign-in:{digest}:count", f"sign-in:{digest}:until"


def _sign_in_count(*, username: str, client_ip: str) -> None:
    """Count one attempt before the password is checked, atomically (cache.add and
    cache.incr), so that many at once cannot all slip in under the limit."""
    count_key, until_key = _sign_in_keys(username=username, client_ip=client_ip)
    cache.add(until_key, time.time() + SIGN_IN_WINDOW_SECONDS, SIGN_IN_WINDOW_SECONDS)
    cache.add(count_key, 0, SIGN_IN_WINDOW_SECONDS)
    try:
        attempts = cache.incr(count_key)
    except ValueError:  # the window ran out between add and incr: a new one
        cache.add(count_key, 0, SIGN_IN_WINDOW_SECONDS)
        attempts = cache.incr(count_key)
    if attempts > SIGN_IN_ATTEMPTS_MAX:
        until = cache.get(until_key) or time.time() + SIGN_IN_WINDOW_SECONDS
        raise SignInThrottled(retry_after=max(1, math.ceil(until - time.time())))


@sensitive_variables("password")
def api_token_create_with_password(
    *,
    request: HttpRequest | None,
    username: str,
    password: str,
    name: str,
    client_ip: str,
    expires_days: int | None = None,
) -> NewApiToken:
    """A new token for whoever `username` and `password` sign in (Django's
    authenticate(), so every configured backend and its checks apply).

    Raises SignInThrottled past SIGN_IN_ATTEMPTS_MAX tries per username and
    client address in SIGN_IN_WINDOW_SECONDS (then the password is not even
    checked), CredentialsRejected, and ApiTokenInvalid as api_token_create does.
    The limit is counted in Django's cache: with the default in-memory cache,
    per process, so several web processes need a shared cache (Redis).
    """
    _sign_in_count(username=username, client_ip=client_ip)
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        raise CredentialsRejected
    cache.delete_many(list(_sign_in_keys(username=username, client_ip=client_ip)))
    days = PASSWORD_TOKEN_DAYS_DEFAULT if expires_days is None else expires_days
    return api_token_create(user=user, name=name, expires_at=timezone.now() + timedelta(days=days))
