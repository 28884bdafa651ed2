"""Result callbacks under GRADER_BACKEND=celery: a Celery worker process grades
a submission made through the API with a `callback_url`, and its sweep POSTs the
signed result to a real HTTP receiver on loopback, again after a failed try.
Nothing in the test process delivers anything: it runs no grader and no sweep."""

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from accounts.services import NewApiToken, api_token_create
from api.models import CallbackAttempt, CallbackDelivery
from grader.models import Submission
from lessons.models import Exercise
from tests.api.test_callbacks import Receiver, documented_verifier, submit_with_callback
from tests.scale.processes import Worker, workers_running
from tests.scale.test_celery_workers import assert_graded_once, grader_pid, wait_until

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

# The receiver is on 127.0.0.1, which callbacks refuse unless allowed: in this
# process (the URL is checked when the submission is made) and in the workers
# (checked again at every try). A short backoff, so a retry comes quickly.
WORKER_SETTINGS = {"CALLBACKS_ALLOW_PRIVATE": "1", "CALLBACK_RETRY_BASE_SECONDS": "0.5"}
DEADLINE = 180.0


@pytest.fixture
def token(learner: User, settings: Any) -> NewApiToken:
    settings.CALLBACKS_ALLOW_PRIVATE = True
    return api_token_create(user=learner, name="ci")


def submit(token: NewApiToken, callback_url: str) -> uuid.UUID:
    return uuid.UUID(submit_with_callback(token, callback_url, folder="solution"))


def delivered(submission_id: uuid.UUID) -> CallbackDelivery:
    def done() -> bool:
        """the worker recorded the callback as delivered"""
        return CallbackDelivery.objects.filter(
            submission_id=submission_id, delivered_at__isnull=False
        ).exists()

    wait_until(done, timeout=DEADLINE)
    return CallbackDelivery.objects.get(submission_id=submission_id)


def assert_graded_by(submission_id: uuid.UUID, workers: list[Worker]) -> Submission:
    submission = Submission.objects.get(pk=submission_id)
    assert_graded_once(submission)
    assert any(grader_pid(submission) in worker.pool_pids() for worker in workers)
    return submission


def test_a_worker_grades_and_posts_the_signed_result_to_the_callback_url(
    flask_exercise: Exercise, token: NewApiToken, tmp_path: Path, broker_empty: None
) -> None:
    verify = documented_verifier()
    receiver = Receiver(failures=0)
    with receiver.serving() as url, workers_running(1, tmp_path, **WORKER_SETTINGS) as workers:
        submission_id = submit(token, url)
        (headers, body), *others = receiver.wait_for(1, timeout=DEADLINE)
        delivery = delivered(submission_id)
        submission = assert_graded_by(submission_id, workers)

    assert others == []
    assert verify(
        body, headers["X-Lectern-Timestamp"], headers["X-Lectern-Signature"], token.signing_secret
    )
    payload = json.loads(body)
    assert payload["event"] == "submission.completed"
    assert payload["submission"]["id"] == str(submission_id)
    assert payload["submission"]["status"] == "completed"
    assert payload["result"] == submission.result
    assert payload["result"]["status"] == "pass"
    assert headers["X-Lectern-Delivery"] == str(delivery.pk)
    assert (delivery.attempts, delivery.last_status) == (1, 204)


def test_a_receiver_that_answers_500_gets_the_callback_again(
    flask_exercise: Exercise, token: NewApiToken, tmp_path: Path, broker_empty: None
) -> None:
    verify = documented_verifier()
    receiver = Receiver(failures=1, failure_status=500)
    with receiver.serving() as url, workers_running(1, tmp_path, **WORKER_SETTINGS) as workers:
        submission_id = submit(token, url)
        first, second = receiver.wait_for(2, timeout=DEADLINE)[:2]
        delivery = delivered(submission_id)
        assert_graded_by(submission_id, workers)

    assert [headers["X-Lectern-Attempt"] for headers, _ in (first, second)] == ["1", "2"]
    assert first[0]["X-Lectern-Delivery"] == second[0]["X-Lectern-Delivery"] == str(delivery.pk)
    assert first[1] == second[1]  # the same body on every try
    for headers, body in (first, second):  # each try signed with its own timestamp
        assert verify(
            body,
            headers["X-Lectern-Timestamp"],
            headers["X-Lectern-Signature"],
            token.signing_secret,
        )
    attempts = CallbackAttempt.objects.filter(delivery=delivery).order_by("number")
    assert [attempt.status_code for attempt in attempts] == [500, 204]
    assert attempts[0].retry_at is not None
    assert (delivery.attempts, delivery.last_status, delivery.failed_at) == (2, 204, None)
    assert len(receiver.requests) == 2
