"""The web tier scaled out: two Daphne processes share one Redis channel layer,
and Redis may restart under them without a submission being lost."""

import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from websockets.sync.client import connect
from websockets.typing import Origin

from accounts.services import SIGN_IN_ATTEMPTS_MAX
from grader.models import Submission
from lessons.models import Exercise
from tests.conftest import exercise_files
from tests.live_server import Site, daphne_server
from tests.scale.processes import RedisServer, services_settings, worker_start, workers_running
from tests.scale.test_celery_workers import all_completed, assert_graded_once, wait_until

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def web(tmp_path: Path, name: str, **env: str) -> Any:
    """A Daphne process in Celery mode (no grader inside it)."""
    environment = services_settings(**env)
    database_url = environment.pop("DATABASE_URL")
    return daphne_server(database_url=database_url, log_dir=tmp_path / name, **environment)


def submit(site: Site, exercise: Exercise, files: dict[str, str]) -> str:
    status, created = site.post_json(f"/exercises/{exercise.slug}/submissions/", {"files": files})
    assert status == 202, created
    return str(created["id"])


def stored_events(submission_id: str) -> list[dict[str, Any]]:
    events = Submission.objects.get(pk=submission_id).events.order_by("seq")
    return [{"seq": e.seq, "type": e.type} for e in events]


def test_a_client_of_one_web_process_hears_a_submission_posted_to_another(
    flask_exercise: Exercise, learner: User, tmp_path: Path, broker_empty: None
) -> None:
    with web(tmp_path, "a") as site_a, web(tmp_path, "b") as site_b:
        for site in (site_a, site_b):
            site.log_in_as(learner)
        site_a.get(f"/courses/{flask_exercise.course.slug}/hello-flask/")  # the CSRF cookie
        # Posted to A while no worker runs: it waits in the queue...
        submission_id = submit(site_a, flask_exercise, exercise_files("solution"))

        with connect(
            f"{site_b.ws_base}/ws/submissions/{submission_id}/",
            origin=Origin(site_b.base),
            additional_headers={"Cookie": f"sessionid={site_b.cookie('sessionid')}"},
        ) as websocket:
            # ...B replays what is stored so far (the queued event, the position)...
            first = [json.loads(websocket.recv(timeout=10)) for _ in range(2)]
            assert [message["type"] for message in first] == ["queued", "position"]
            # ...and everything after that arrives live, through Redis, from a worker.
            with workers_running(1, tmp_path):
                live = [json.loads(message) for message in websocket]

    stored = [message for message in live if "seq" in message]
    assert stored[0]["type"] == "started"
    assert stored[-1]["type"] == "completed"
    assert live[-1]["data"]["result"]["status"] == "pass"
    assert [m["seq"] for m in first[:1] + stored] == [
        e["seq"] for e in stored_events(submission_id)
    ]


def test_submissions_survive_a_redis_restart_and_clients_catch_up(
    flask_exercise: Exercise, learner: User, tmp_path: Path
) -> None:
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    env = {"REDIS_URL": redis.url}
    try:
        with web(tmp_path, "web", **env) as site:
            site.log_in_as(learner)
            site.get(f"/courses/{flask_exercise.course.slug}/hello-flask/")
            workers = [worker_start(f"w{n}", tmp_path, **env) for n in (1, 2)]
            try:
                files = [exercise_files("solution"), exercise_files("starter")]
                before = [submit(site, flask_exercise, files[n % 2]) for n in range(8)]
                wait_until(
                    lambda: Submission.objects.filter(status=Submission.Status.RUNNING).exists()
                )
                # Redis goes away with every task still waiting in it...
                redis.stop()
                # ...the site still takes submissions (stored; their task cannot be sent)...
                during = [submit(site, flask_exercise, files[n % 2]) for n in range(2)]
                time.sleep(1)
                redis.start()
                # ...and once Redis is back the workers' sweep sends what was lost.
                ids = before + during
                wait_until(lambda: all_completed(ids), timeout=180)  # type: ignore[arg-type]
                # A client that (re)connects gets the whole history from the database,
                # from the start or from the last event it saw.
                for submission_id in ids:
                    history = [m for m in site.events(submission_id) if "seq" in m]
                    assert [m["seq"] for m in history] == [
                        e["seq"] for e in stored_events(submission_id)
                    ]
                    assert history[0]["type"] == "queued"
                    assert history[-1]["type"] == "completed"
                    rest = site.events(submission_id, after=2)
                    assert [m["seq"] for m in rest] == [m["seq"] for m in history[2:]]
                status, health = site.get_json("/healthz")
                assert status == 200, health
            finally:
                for worker in workers:
                    worker.stop()
    finally:
        redis.stop()

    for submission in Submission.objects.filter(pk__in=ids):
        assert_graded_once(submission)


def token_sign_in(site: Site, username: str, password: str) -> int:
    """POST /api/v1/tokens (no session, no CSRF: a CLI's sign-in); its status."""
    request = urllib.request.Request(  # noqa: S310 - always our own http:// base
        f"{site.base}/api/v1/tokens",
        data=json.dumps({"username": username, "password": password, "name": "ci"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_password_guesses_are_counted_across_web_processes(learner: User, tmp_path: Path) -> None:
    """The sign-in limit lives in the Redis cache: guesses spread over two web
    processes add up, and the right password is then refused too."""
    shared = {"CACHE_KEY_PREFIX": f"test-shared-{uuid.uuid4()}"}
    with web(tmp_path, "a", **shared) as site_a, web(tmp_path, "b", **shared) as site_b:
        sites = [site_a, site_b]
        statuses = [
            token_sign_in(sites[attempt % 2], learner.username, "wrong-password")
            for attempt in range(SIGN_IN_ATTEMPTS_MAX)
        ]
        assert statuses == [401] * SIGN_IN_ATTEMPTS_MAX
        assert token_sign_in(site_b, learner.username, "learner-password-1") == 429
