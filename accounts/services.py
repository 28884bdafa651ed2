"""Personal access tokens: make one (shown once), check one, revoke one."""

import hashlib
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiToken
from accounts.selectors import user_is_instructor

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


class ApiTokenInvalid(Exception):
    """A token could not be made; `field` names the form field to fix."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ApiTokenRejected(Exception):
    """A presented token does not authenticate anyone. `code` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
