import uuid

from django.conf import settings
from django.db import models

from classes.models import Classroom
from lessons.models import Exercise


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        COMPLETED = "completed"
        # Withdrawn by its learner while still queued: never claimed, never graded.
        CANCELLED = "cancelled"

    class Source(models.TextChoices):
        WEB = "web"
        COMMAND = "command"
        API = "api"
        # Graded again by an instructor's regrade (Regrade below): not an attempt.
        REGRADE = "regrade"

    class Mode(models.TextChoices):
        # All tests, counted as an attempt.
        SUBMIT = "submit"
        # The visible tests only, not counted: a learner trying things out.
        RUN = "run"

    class Priority(models.IntegerChoices):
        # Claimed in this order: a learner waiting on a page before any regrade.
        LIVE = 0
        REGRADE = 10

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="submissions")
    # The learner who submitted; none for `manage.py grade`.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="submissions",
    )
    # Who sent it: its learner, or an instructor submitting on the learner's
    # behalf through the API (docs/api.md); none for `manage.py grade`.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions_sent",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SUBMIT)
    files = models.JSONField()

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    # The final result document (docs/grading.md, "The result"); empty until completed.
    result = models.JSONField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    # The result's status (grader.vocabulary.ResultStatus: pass, fail, error),
    # copied from it for querying; its verdict stays in the result.
    result_status = models.CharField(max_length=10, blank=True)
    gradable = models.BooleanField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Bookkeeping that keeps a submission from being lost or graded twice.
    grading_attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    next_event_seq = models.PositiveIntegerField(default=1)
    # When a Celery task was last sent for it (none: at its creation). The workers'
    # sweep sends another when it is still queued long after (grader/periodic.py).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Its learner cancelled it while it ran: the grading worker, which may be on
    # another host, sees this, kills the container and ends it as cancelled.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)

    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.LIVE)
    # A regrade's copy of `regrade_of`, graded with the tests of the day; the
    # original keeps its own result and score (grader/regrades.py).
    regrade = models.ForeignKey(
        "Regrade", on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    regrade_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="regrades"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="submission_queue_idx"),
            models.Index(fields=["status", "priority", "created_at"], name="submission_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise.slug} {self.id} ({self.status})"


class SubmissionEvent(models.Model):
    """One step of a grading, in order. Stored so that a client that connects
    late or reconnects can be sent everything it missed."""

    class Type(models.TextChoices):
        QUEUED = "queued"
        STARTED = "started"
        TEST = "test"
        COMPLETED = "completed"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=20, choices=Type.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "seq"], name="event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} #{self.seq} {self.type}"

    def as_message(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "type": self.type,
            "data": self.data,
            "at": self.created_at.isoformat(),
        }


class GraderStatus(models.Model):
    """Whether the grader reached its sandboxes at its last try (one row).

    Workers write it; /healthz and the pages of waiting learners read it, so a
    learner whose submission waits sees why instead of a queue that does not move.
    """

    available = models.BooleanField(default=True)
    message = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "available" if self.available else f"unavailable: {self.message}"


class TrySession(models.Model):
    """A learner trying their web app from the page: served in a sandbox of its
    own for TRY_SESSION_SECONDS (grader/try_sessions.py). One open per learner;
    opening another ends the first. Like a submission it counts against the
    learner's limits; unlike one it is never graded."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="try_sessions"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="try_sessions")
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    requests = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user} tries {self.exercise.slug} ({self.started_at:%Y-%m-%d %H:%M})"


class Regrade(models.Model):
    """An instructor's request to grade a class's submissions for one exercise
    again with its current tests: each learner's latest graded submission, or
    their best. Each becomes a Submission of priority REGRADE, so it waits for
    every live one (grader/regrades.py)."""

    class Which(models.TextChoices):
        LATEST = "latest"
        BEST = "best"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="regrades")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="regrades")
    which = models.CharField(max_length=10, choices=Which.choices, default=Which.LATEST)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="regrades_requested",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"regrade of {self.exercise.slug} for {self.classroom.name}"
