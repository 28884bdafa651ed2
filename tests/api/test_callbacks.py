"""Result callbacks against a real HTTP server started by the test: signed with
the token's secret, retried with growing delays, refused for private addresses."""

import asyncio
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connection, transaction

from accounts.services import NewApiToken
from api.callbacks import _delivery_claim, callbacks_deliver_due
from api.models import CallbackAttempt, CallbackDelivery
from grader.inline import InlineGraderPool
from grader.periodic import sweep_jobs_run
from grader.services import submission_cancel
from lessons.models import Exercise
from tests.api.conftest import ApiClient
from tests.conftest import exercise_files
from tests.live_server import free_port

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A callback receiver on 127.0.0.1 that fails the first `failures` requests
    (answering `failure_status`) and takes the others with 204."""

    def __init__(self, failures: int, delay: float = 0.0, failure_status: int = 503) -> None:
        self.failures = failures
        self.delay = delay
        self.failure_status = failure_status
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    def wait_for(self, count: int, timeout: float) -> list[tuple[dict[str, str], bytes]]:
        """The requests, once at least `count` have arrived (AssertionError after `timeout`)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout):
                raise AssertionError(f"{len(self.requests)} of {count} callbacks in {timeout} s")
            return list(self.requests)

    @contextmanager
    def serving(self) -> Iterator[str]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.requests.append((dict(self.headers.items()), body))
                    failing = len(receiver.requests) <= receiver.failures
                self.send_response(receiver.failure_status if failing else 204)
                self.end_headers()
                with receiver.arrived:
                    receiver.arrived.notify_all()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/hooks/lectern?source=ci"
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture
def fast_callbacks(settings: Any) -> None:
    settings.CALLBACKS_ALLOW_PRIVATE = True
    settings.CALLBACK_RETRY_BASE_SECONDS = 0.02
    settings.CALLBACK_TIMEOUT_SECONDS = 5.0


def submit_with_callback(token: NewApiToken, callback_url: str, folder: str = "starter") -> str:
    """The id of a new submission of the Flask exercise's `folder` files with a callback."""
    response = ApiClient(token).post(
        "/api/v1/submissions",
        {
            "exercise": "flask-hello-world",
            "files": exercise_files(folder),
            "callback_url": callback_url,
        },
    )
    assert response.status_code == 202, response.json()
    return str(response.json()["id"])


def submit_and_finish(token: NewApiToken, learner: User, callback_url: str) -> str:
    """A submission with a callback, made final (cancelled: no grading needed)."""
    submission_id = submit_with_callback(token, callback_url)
    submission_cancel(submission_id=uuid.UUID(submission_id), user=learner)
    return submission_id


def deliver_until_settled(rounds: int = 400) -> CallbackDelivery:
    """Call the delivery service as the grader's loop does, until the delivery is
    delivered or given up (bounded: the schedule is sped up by the settings)."""
    for _ in range(rounds):
        callbacks_deliver_due(worker="test")
        delivery = CallbackDelivery.objects.get()
        if delivery.delivered_at or delivery.failed_at:
            return delivery
        time.sleep(0.01)
    raise AssertionError("the callback was neither delivered nor given up")


def scheduled_delays(delivery: CallbackDelivery) -> list[float]:
    attempts = CallbackAttempt.objects.filter(delivery=delivery).order_by("number")
    return [
        (attempt.retry_at - attempt.attempted_at).total_seconds()
        for attempt in attempts
        if attempt.retry_at is not None
    ]


def test_the_result_is_posted_signed_and_retried_until_accepted(
    fast_callbacks: None, learner: User, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    receiver = Receiver(failures=2)
    with receiver.serving() as url:
        submission_id = submit_and_finish(learner_token, learner, url)
        delivery = deliver_until_settled()

    assert delivery.delivered_at is not None
    assert delivery.attempts == 3
    assert len(receiver.requests) == 3
    bodies = {body for _, body in receiver.requests}
    assert len(bodies) == 1  # every try sends the same bytes
    headers, body = receiver.requests[-1]
    timestamp = headers["X-Lectern-Timestamp"]
    assert timestamp.isdigit()
    signed = timestamp.encode() + b"." + body
    expected = hmac.new(learner_token.signing_secret.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-Lectern-Signature"] == f"sha256={expected}"
    assert headers["Content-Type"] == "application/json"
    assert [h["X-Lectern-Attempt"] for h, _ in receiver.requests] == ["1", "2", "3"]
    payload = json.loads(body)
    assert payload["event"] == "submission.completed"
    assert payload["submission"]["id"] == submission_id
    assert payload["result"]["verdict"] == "cancelled"
    # The backoff grows: each delay twice the one before.
    first, second = scheduled_delays(delivery)
    assert second > first > 0


def test_a_receiver_that_keeps_failing_gets_at_least_five_tries_with_growing_delays(
    fast_callbacks: None, learner: User, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    receiver = Receiver(failures=1000)
    with receiver.serving() as url:
        submit_and_finish(learner_token, learner, url)
        delivery = deliver_until_settled()
        callbacks_deliver_due(worker="test")  # nothing more once given up

    assert delivery.delivered_at is None
    assert delivery.failed_at is not None
    assert delivery.attempts >= 5
    assert len(receiver.requests) == delivery.attempts
    assert delivery.last_status == 503
    delays = scheduled_delays(delivery)
    assert len(delays) == delivery.attempts - 1
    assert all(later > earlier for earlier, later in pairwise(delays))


def test_the_default_schedule_spreads_the_tries_over_several_minutes(settings: Any) -> None:
    from api.callbacks import callback_retry_delay

    delays = [callback_retry_delay(attempts=n) for n in range(1, settings.CALLBACK_MAX_ATTEMPTS)]
    assert settings.CALLBACK_MAX_ATTEMPTS >= 5
    assert sum(delays) >= 5 * 60


def test_a_receiver_that_cannot_be_reached_is_tried_again(
    fast_callbacks: None, learner: User, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    submit_and_finish(learner_token, learner, f"http://127.0.0.1:{free_port()}/nobody")
    callbacks_deliver_due(worker="test")

    delivery = CallbackDelivery.objects.get()
    assert delivery.attempts == 1
    assert delivery.delivered_at is None and delivery.failed_at is None
    assert "ConnectionRefused" in delivery.last_error


def test_two_processes_never_make_the_same_try(
    fast_callbacks: None, learner: User, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    receiver = Receiver(failures=0, delay=0.3)
    with receiver.serving() as url:
        submit_and_finish(learner_token, learner, url)

        def deliver(worker: str) -> int:
            try:
                return callbacks_deliver_due(worker=worker)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=4) as pool:
            delivered = list(pool.map(deliver, ["a", "b", "c", "d"]))

    assert sum(delivered) == 1
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://172.16.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://8.8.8.8/hook",
        "javascript:alert(1)",
        "http://user:pass@8.8.8.8/hook",
        "http:///nohost",
    ],
)
def test_private_addresses_and_other_schemes_are_refused(
    api: ApiClient, flask_exercise: Exercise, url: str
) -> None:
    response = api.post(
        "/api/v1/submissions",
        {"exercise": "flask-hello-world", "files": exercise_files("starter"), "callback_url": url},
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_callback_url"
    assert "callback_url" in error["fields"]
    assert not CallbackDelivery.objects.exists()


def test_a_public_address_is_accepted(api: ApiClient, flask_exercise: Exercise) -> None:
    response = api.post(
        "/api/v1/submissions",
        {
            "exercise": "flask-hello-world",
            "files": exercise_files("starter"),
            "callback_url": "https://8.8.8.8/hook",
        },
    )
    assert response.status_code == 202
    assert CallbackDelivery.objects.get().url == "https://8.8.8.8/hook"


def test_the_address_is_checked_again_at_delivery(
    fast_callbacks: None,
    settings: Any,
    learner: User,
    learner_token: NewApiToken,
    flask_exercise: Exercise,
) -> None:
    receiver = Receiver(failures=0)
    with receiver.serving() as url:
        submit_and_finish(learner_token, learner, url)
        # The name now points somewhere private (as after DNS rebinding).
        settings.CALLBACKS_ALLOW_PRIVATE = False
        callbacks_deliver_due(worker="test")

    delivery = CallbackDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.delivered_at is None
    assert delivery.last_error.startswith("refused:")


def documented_verifier() -> Callable[[bytes, str, str, str], bool]:
    """The receiver's check exactly as docs/api.md shows it (its first Python
    block under "Verifying a callback"), so the documentation cannot drift."""
    guide = (Path(django_settings.BASE_DIR) / "docs" / "api.md").read_text()
    section = guide.split("### Verifying a callback", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "docs/api.md lost its verification example"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), "docs/api.md", "exec"), namespace)  # noqa: S102 - our own docs
    verifier: Callable[[bytes, str, str, str], bool] = namespace["lectern_callback_valid"]
    return verifier


def sign(secret: str, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def test_the_signature_covers_the_timestamp_as_the_documented_check_verifies(
    fast_callbacks: None, learner: User, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    valid = documented_verifier()
    secret = learner_token.signing_secret
    receiver = Receiver(failures=0)
    with receiver.serving() as url:
        submit_and_finish(learner_token, learner, url)
        assert deliver_until_settled().delivered_at is not None
    (headers, body), *_ = receiver.requests
    timestamp, signature = headers["X-Lectern-Timestamp"], headers["X-Lectern-Signature"]

    assert valid(body, timestamp, signature, secret)
    # Another timestamp with the same signature: a replay dressed up as new.
    assert not valid(body, str(int(timestamp) + 1), signature, secret)
    assert not valid(body, str(int(timestamp) - 1), signature, secret)
    # The old scheme, the body alone, is not what is signed any more.
    body_only = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert signature != body_only
    # Another body, or another token's secret.
    assert not valid(body + b" ", timestamp, signature, secret)
    assert not valid(body, timestamp, signature, "lcs_someone-else")
    # A delivery signed correctly 6 minutes ago is refused; one signed now passes.
    old = str(int(time.time()) - 6 * 60)
    assert not valid(body, old, sign(secret, old, body), secret)
    now = str(int(time.time()))
    assert valid(body, now, sign(secret, now, body), secret)


def test_the_api_app_registers_the_delivery_as_a_job_of_the_grader_sweep(
    fast_callbacks: None, learner: User, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    # What the Celery workers' sweep runs (grader/periodic.py), without api imported there.
    receiver = Receiver(failures=0)
    with receiver.serving() as url:
        submit_and_finish(learner_token, learner, url)
        sweep_jobs_run()

    assert len(receiver.requests) == 1
    assert CallbackDelivery.objects.get().delivered_at is not None


async def test_the_inline_pool_delivers_callbacks_through_the_registered_job(
    fast_callbacks: None,
    settings: Any,
    learner: User,
    learner_token: NewApiToken,
    flask_exercise: Exercise,
) -> None:
    settings.CALLBACK_POLL_SECONDS = 0.05
    receiver = Receiver(failures=1)
    with receiver.serving() as url:
        await sync_to_async(submit_and_finish)(learner_token, learner, url)
        pool = InlineGraderPool(workers=1, poll_seconds=0.2)
        pool.start(asyncio.get_running_loop())
        try:
            for _ in range(600):
                delivery = await sync_to_async(CallbackDelivery.objects.get)()
                if delivery.delivered_at is not None:
                    break
                await asyncio.sleep(0.05)
        finally:
            await pool.stop()

    assert delivery.delivered_at is not None
    assert [h["X-Lectern-Attempt"] for h, _ in receiver.requests] == ["1", "2"]


def test_a_claim_waiting_on_another_sees_it_once_that_one_commits(
    fast_callbacks: None, learner: User, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    """Claim A holds the row in an open transaction; claim B, started meanwhile,
    waits for its lock. Once A commits, B must see the claim and lose."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and re-checked UPDATEs: PostgreSQL (the scaled run)")
    submit_and_finish(learner_token, learner, "http://192.0.2.1/hook")
    delivery_id = CallbackDelivery.objects.get().pk
    a_claimed = threading.Event()
    a_may_commit = threading.Event()

    def claim_a() -> bool:
        try:
            with transaction.atomic():
                won = _delivery_claim(delivery_id=delivery_id, worker="a")
                a_claimed.set()
                a_may_commit.wait(timeout=120)
            return won
        finally:
            connection.close()

    def claim_b() -> bool:
        try:
            return _delivery_claim(delivery_id=delivery_id, worker="b")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(claim_a)
        assert a_claimed.wait(timeout=120)
        second = pool.submit(claim_b)
        # B is blocked on A's row lock before A commits.
        deadline = time.monotonic() + 120
        while not waiting_on_a_lock():
            assert time.monotonic() < deadline, "the second claim never waited"
            time.sleep(0.05)
        a_may_commit.set()
        assert first.result(timeout=120) is True
        assert second.result(timeout=120) is False


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE%%api_callbackdelivery%%'"
        )
        return bool(cursor.fetchone()[0])
