"""What the API remembers beyond the grader's own records: idempotency keys and
result callbacks (docs/api.md)."""

from django.conf import settings
from django.db import models

from accounts.models import ApiToken
from grader.models import Submission


class IdempotencyKey(models.Model):
    """A POST /api/v1/submissions sent with an Idempotency-Key header: a retry with
    the same key (per user) gets the first answer back instead of a second grading."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    # SHA-256 of the request's body as parsed: the same key with other content is refused.
    request_hash = models.CharField(max_length=64)
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, related_name="idempotency_keys"
    )
    response_status = models.PositiveSmallIntegerField(default=202)
    response_body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class CallbackDelivery(models.Model):
    """The result of one submission, to be POSTed to its callback URL once it is
    final, signed with the submitting token's secret; tried again with backoff.
    Stored, so that deliveries survive restarts and any process may make them."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="callback")
    # Whose signing secret signs the body.
    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="callbacks")
    url = models.CharField(max_length=2000)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next try may be made; the submission must also be final by then.
    next_attempt_at = models.DateTimeField()
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Set when the last allowed try failed: no more tries.
    failed_at = models.DateTimeField(null=True, blank=True)
    # A process delivering it now: nobody else may until the claim runs out.
    claimed_by = models.CharField(max_length=200, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["delivered_at", "failed_at", "next_attempt_at"], name="callback_due_idx"
            )
        ]

    def __str__(self) -> str:
        return f"callback of {self.submission_id} to {self.url}"


class CallbackAttempt(models.Model):
    """One try of a delivery, kept for whoever debugs a receiver."""

    delivery = models.ForeignKey(
        CallbackDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # When the next try was scheduled; empty once delivered or given up.
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="callback_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
