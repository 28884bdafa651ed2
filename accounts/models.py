"""Personal access tokens for the HTTP API and the `lectern` command (docs/api.md)."""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A learner's (or an instructor's) credential for the API.

    Only a SHA-256 hash of the token is stored: the token itself is shown once,
    when it is made, and cannot be recovered from the database. Tokens are long
    random strings, so an unsalted fast hash is enough (nothing to brute-force).
    The signing secret, by contrast, is needed in the clear to sign callbacks.
    """

    class Scope(models.TextChoices):
        # Submit on behalf of a learner of a course the token's user teaches.
        SUBMIT_FOR_LEARNERS = "submit_for_learners"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # The first characters of the token, so a learner can tell their tokens apart.
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    signing_secret = models.CharField(max_length=64)
    scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} / {self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
