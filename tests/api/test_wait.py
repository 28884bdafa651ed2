"""POST /api/v1/submissions?wait=N: the answer waits for the result, up to N
seconds; when the time is up it is the 202 with where the submission is now."""

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accounts.services import NewApiToken
from lessons.models import Exercise
from tests.api.conftest import ApiClient
from tests.conftest import exercise_files
from tests.live_server import Site, daphne_server, live_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def post(
    site: Site, path: str, body: dict[str, Any], token: NewApiToken, **headers: str
) -> tuple[int, dict[str, Any], float]:
    """Status, JSON and seconds taken of a POST with the token."""
    request = urllib.request.Request(  # noqa: S310 - the test's own http:// server
        site.base + path,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token.raw_token}",
            **headers,
        },
        method="POST",
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read()), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), time.monotonic() - started


def solution(sleep_seconds: int = 0) -> dict[str, str]:
    code = exercise_files("solution")["app.py"]
    if sleep_seconds:
        code = f"import time\ntime.sleep({sleep_seconds})\n" + code
    return {"app.py": code}


@pytest.fixture
def site(flask_exercise: Exercise, tmp_path: Path) -> Iterator[Site]:
    with daphne_server(database_url=live_database_url(), log_dir=tmp_path) as running:
        yield running


@pytest.mark.docker
def test_wait_holds_the_answer_until_the_result_is_ready(
    site: Site, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    body = {"exercise": flask_exercise.slug, "files": solution()}

    status, document, seconds = post(site, "/api/v1/submissions?wait=30", body, learner_token)

    assert status == 200
    assert seconds < 30
    assert document["status"] == "completed"
    assert document["result"]["status"] == "pass"
    assert document["result"]["score"] == flask_exercise.max_score
    assert [event["type"] for event in document["events"]][:2] == ["queued", "started"]
    assert document["events"][-1]["type"] == "completed"


@pytest.mark.docker
def test_when_the_wait_is_over_the_answer_is_202_with_the_current_state(
    site: Site, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    # Still being graded when the two seconds are up.
    body = {"exercise": flask_exercise.slug, "files": solution(sleep_seconds=3)}
    key = {"Idempotency-Key": "ci-run-7"}

    status, accepted, seconds = post(site, "/api/v1/submissions?wait=2", body, learner_token, **key)

    assert status == 202
    assert 2 <= seconds < 5
    # Where it is now, not where it was when the request came in (queued).
    assert (accepted["status"], accepted["position"]) == ("running", 0)
    assert accepted["urls"]["self"].endswith(f"/api/v1/submissions/{accepted['id']}")

    # The CI job retries with the same key and a longer wait: the same submission, graded once.
    status, document, _ = post(site, "/api/v1/submissions?wait=30", body, learner_token, **key)
    assert status == 200
    assert document["id"] == accepted["id"]
    assert document["result"]["status"] == "pass"
    assert [event["type"] for event in document["events"]].count("started") == 1


def test_with_no_grader_the_wait_ends_in_time_with_the_submission_still_queued(
    api: ApiClient, flask_exercise: Exercise
) -> None:
    # The test settings start no grader, so nothing will grade it.
    body = {"exercise": flask_exercise.slug, "files": solution()}
    started = time.monotonic()

    response = api.post("/api/v1/submissions?wait=1", body)

    assert 1 <= time.monotonic() - started < 5
    assert response.status_code == 202
    accepted = response.json()
    assert (accepted["status"], accepted["position"]) == ("queued", 1)
    assert response["Location"] == accepted["urls"]["self"]
