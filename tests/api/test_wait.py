"""POST /api/v1/submissions?wait=N: the answer waits for the result, up to N
seconds; when the time is up it is the 202 with where the submission is now."""

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from accounts.services import NewApiToken
from lessons.models import Exercise
from tests.api.conftest import ApiClient
from tests.conftest import exercise_files
from tests.live_server import Site

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


@pytest.mark.docker
def test_wait_holds_the_answer_until_the_result_is_ready(
    site: Site, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    body = {"exercise": flask_exercise.slug, "files": solution()}

    status, document, _ = post(site, "/api/v1/submissions?wait=30", body, learner_token)

    # 200 only if the result came within the wait (then 202).
    assert status == 200
    assert document["status"] == "completed"
    assert document["result"]["status"] == "pass"
    assert document["result"]["score"] == flask_exercise.max_score
    assert [event["type"] for event in document["events"]][:2] == ["queued", "started"]
    assert document["events"][-1]["type"] == "completed"


# The first answer of the next test must come while its submission is being graded:
# claimed within WAIT seconds (a claim takes a fraction of one: this is generous for
# a slow machine), and not finished, which the learner's code makes certain however
# fast the machine is: it imports slowly, SLOW seconds, more than WAIT, before any
# test can pass.
WAIT = 5
SLOW = WAIT + 2


@pytest.mark.docker
def test_when_the_wait_is_over_the_answer_is_202_with_the_current_state(
    site: Site, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    # Each test phase imports app.py again: room for both slow imports.
    Exercise.objects.filter(pk=flask_exercise.pk).update(
        limits={**flask_exercise.limits, "wall_seconds": 4 * SLOW}
    )
    body = {"exercise": flask_exercise.slug, "files": solution(sleep_seconds=SLOW)}
    key = {"Idempotency-Key": "ci-run-7"}

    status, accepted, seconds = post(
        site, f"/api/v1/submissions?wait={WAIT}", body, learner_token, **key
    )

    assert status == 202
    assert seconds >= WAIT
    # Where it is now, not where it was when the request came in (queued).
    assert (accepted["status"], accepted["position"]) == ("running", 0)
    assert accepted["urls"]["self"].endswith(f"/api/v1/submissions/{accepted['id']}")

    # The CI job retries with the same key until the result is in: the same
    # submission, graded once.
    for _ in range(10):
        status, document, _ = post(site, "/api/v1/submissions?wait=30", body, learner_token, **key)
        assert document["id"] == accepted["id"]
        if status != 202:
            break
    assert status == 200
    assert document["result"]["status"] == "pass"
    assert [event["type"] for event in document["events"]].count("started") == 1


def test_with_no_grader_the_wait_ends_in_time_with_the_submission_still_queued(
    api: ApiClient, flask_exercise: Exercise
) -> None:
    # The test settings start no grader, so nothing will grade it.
    body = {"exercise": flask_exercise.slug, "files": solution()}
    started = time.monotonic()

    response = api.post("/api/v1/submissions?wait=1", body)

    # It waited, and then answered (how soon after depends on the machine).
    assert time.monotonic() - started >= 1
    assert response.status_code == 202
    accepted = response.json()
    assert (accepted["status"], accepted["position"]) == ("queued", 1)
    assert response["Location"] == accepted["urls"]["self"]
