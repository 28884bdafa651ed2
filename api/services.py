"""Submitting through the API: whose submission it is, callbacks, idempotency.

The grading itself is grader.services.submission_create's, with the same
validation and the same per-learner limits; this adds only what API clients need.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import ApiToken
from accounts.selectors import user_teaches_course
from api.callbacks import CallbackUrlInvalid, callback_url_check
from api.models import CallbackDelivery, IdempotencyKey
from grader.models import Submission
from grader.services import SubmissionInvalid, submission_create
from lessons.models import Exercise
from lessons.selectors import exercise_offered_get

IDEMPOTENCY_KEY_MAX = 255
# Printable ASCII, not beginning or ending with a space (HTTP would strip it):
# also the header's pattern in the OpenAPI document, so both say the same.
IDEMPOTENCY_KEY_PATTERN = rf"^[!-~]([ -~]{{0,{IDEMPOTENCY_KEY_MAX - 2}}}[!-~])?$"


@dataclass(frozen=True)
class SubmissionAccepted:
    """The answer to a create request: the first one's, when `replayed` (the
    endpoint then answers with the submission as it is now, not this old body)."""

    submission: Submission
    status: int
    body: dict[str, Any]
    replayed: bool


def exercise_get_live(*, slug: str) -> Exercise:
    """An exercise learners may submit to (lessons.selectors.exercises_offered);
    raises SubmissionInvalid 404."""
    exercise = exercise_offered_get(slug=slug)
    if exercise is None:
        raise SubmissionInvalid(
            "unknown_exercise", f"There is no exercise called {slug!r}.", status=404
        )
    return exercise


def _request_hash(request: dict[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _idempotency_key_check(key: str) -> None:
    if re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key) is None:
        raise SubmissionInvalid(
            "invalid_idempotency_key",
            f"An Idempotency-Key is 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters; "
            "a random UUID is a good one.",
            fields={"Idempotency-Key": "invalid"},
        )


def _replay(*, user: User, key: str, request_hash: str) -> SubmissionAccepted | None:
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    stored = (
        IdempotencyKey.objects.select_related("submission")
        .filter(user=user, key=key, created_at__gte=cutoff, submission__isnull=False)
        .first()
    )
    if stored is None or stored.submission is None:
        return None
    if stored.request_hash != request_hash:
        raise SubmissionInvalid(
            "idempotency_key_reused",
            "This Idempotency-Key was used for a different request; use a new key for new content.",
            status=422,
            fields={"Idempotency-Key": "used for a different request"},
        )
    return SubmissionAccepted(
        submission=stored.submission,
        status=stored.response_status,
        body=stored.response_body,
        replayed=True,
    )


def _owner_get(*, token: ApiToken, exercise: Exercise, on_behalf_of: str | None) -> User:
    """The learner the submission is for: the token's user, or the named learner
    when an instructor of the exercise's course submits for them."""
    if on_behalf_of is None:
        return token.user
    if not token.has_scope(ApiToken.Scope.SUBMIT_FOR_LEARNERS):
        raise SubmissionInvalid(
            "forbidden",
            "This token may not submit on behalf of learners; an instructor creates one with "
            "that right on /accounts/tokens/.",
            status=403,
        )
    if not user_teaches_course(user=token.user, course=exercise.course):
        raise SubmissionInvalid(
            "forbidden",
            f"Only instructors of the course {exercise.course.slug!r} may submit on behalf of "
            "its learners.",
            status=403,
        )
    learner = User.objects.filter(username=on_behalf_of, is_active=True).first()
    if learner is None:
        raise SubmissionInvalid(
            "unknown_learner",
            f"There is no learner called {on_behalf_of!r}.",
            status=422,
            fields={"on_behalf_of": "no such learner"},
        )
    return learner


def api_submission_create(
    *,
    token: ApiToken,
    exercise_slug: str,
    files: object,
    mode: str,
    callback_url: str | None,
    on_behalf_of: str | None,
    idempotency_key: str | None,
    describe: Callable[[Submission], dict[str, Any]],
) -> SubmissionAccepted:
    """Create a submission for an API client; `describe` makes the 202 body.

    With an idempotency key, the key is stored in the same transaction as the
    submission and before it, so a concurrent retry either waits and finds it
    (the unique constraint) or finds it committed: never a second grading.
    Raises SubmissionInvalid with the code and status to answer.
    """
    request = {
        "exercise": exercise_slug,
        "files": files,
        "mode": mode,
        "callback_url": callback_url,
        "on_behalf_of": on_behalf_of,
    }
    request_hash = _request_hash(request)
    if idempotency_key is not None:
        _idempotency_key_check(idempotency_key)
        replay = _replay(user=token.user, key=idempotency_key, request_hash=request_hash)
        if replay is not None:
            return replay
    exercise = exercise_get_live(slug=exercise_slug)
    owner = _owner_get(token=token, exercise=exercise, on_behalf_of=on_behalf_of)
    if callback_url is not None:
        try:
            callback_url_check(url=callback_url)
        except CallbackUrlInvalid as error:
            raise SubmissionInvalid(
                "invalid_callback_url",
                f"callback_url cannot be used: {error.message}",
                status=422,
                fields={"callback_url": error.message},
            ) from None
    try:
        with transaction.atomic():
            key_row = None
            if idempotency_key is not None:
                # An expired key may be used again.
                cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
                IdempotencyKey.objects.filter(
                    user=token.user, key=idempotency_key, created_at__lt=cutoff
                ).delete()
                key_row = IdempotencyKey.objects.create(
                    user=token.user, key=idempotency_key, request_hash=request_hash
                )
            submission = submission_create(
                exercise=exercise,
                files=files,
                user=owner,
                source=Submission.Source.API,
                mode=mode,
                submitted_by=token.user,
            )
            if callback_url is not None:
                CallbackDelivery.objects.create(
                    submission=submission,
                    token=token,
                    url=callback_url,
                    next_attempt_at=timezone.now(),
                )
            body = describe(submission)
            if key_row is not None:
                key_row.submission = submission
                key_row.response_body = body
                key_row.save(update_fields=["submission", "response_body"])
    except IntegrityError:
        # Another request with the same key committed first: answer as it did.
        if idempotency_key is None:
            raise
        replay = _replay(user=token.user, key=idempotency_key, request_hash=request_hash)
        if replay is None:
            raise
        return replay
    return SubmissionAccepted(submission=submission, status=202, body=body, replayed=False)
