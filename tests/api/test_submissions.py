"""Submissions through the API: create, read, list, cancel; who may do what;
idempotency; errors; the per-learner limits under concurrent requests."""

import contextlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from accounts.services import NewApiToken, api_token_create
from api.callbacks import callback_payload
from config.asgi import application
from grader.models import Submission
from grader.services import grade_submission, submission_claim
from lessons.models import Course, Exercise
from tests.api.conftest import ApiClient, instructor_token
from tests.conftest import exercise_files

pytestmark = pytest.mark.django_db(transaction=True)


def body(**changes: Any) -> dict[str, Any]:
    return {"exercise": "flask-hello-world", "files": exercise_files("starter"), **changes}


def test_a_submission_is_accepted_with_where_to_follow_it(
    api: ApiClient, flask_exercise: Exercise, learner: User
) -> None:
    response = api.post("/api/v1/submissions", body(mode="run"))

    assert response.status_code == 202
    accepted = response.json()
    assert accepted["status"] == "queued" and accepted["position"] == 1
    submission_id = accepted["id"]
    assert accepted["urls"] == {
        "self": f"http://testserver/api/v1/submissions/{submission_id}",
        "events": f"http://testserver/api/v1/submissions/{submission_id}/events",
        "websocket": f"ws://testserver/ws/submissions/{submission_id}/",
    }
    assert response["Location"] == accepted["urls"]["self"]
    submission = Submission.objects.get(pk=submission_id)
    assert (submission.user, submission.submitted_by) == (learner, learner)
    assert (submission.source, submission.mode) == ("api", "run")

    document = api.get(f"/api/v1/submissions/{submission_id}").json()
    assert document["status"] == "queued"
    assert document["events"][0]["type"] == "queued"
    assert document["learner"] == "learner"


def test_the_widget_the_api_and_a_callback_show_one_document(
    api: ApiClient, flask_exercise: Exercise, learner: User
) -> None:
    submission_id = api.post("/api/v1/submissions", body()).json()["id"]
    browser = Client()
    browser.force_login(learner)
    widget = browser.get(f"/submissions/{submission_id}/").json()
    document = api.get(f"/api/v1/submissions/{submission_id}").json()
    callback = callback_payload(submission=Submission.objects.get(pk=submission_id))["submission"]

    # The API's document is the widget's, with what only the API has; a
    # callback's submission is a part of it.
    assert set(document) - set(widget) == {"callback", "urls"}
    assert all(same(document[key], value) for key, value in widget.items()), (widget, document)
    assert all(same(document[key], value) for key, value in callback.items()), callback


def same(api_value: Any, value: Any) -> bool:
    """Equal, or the same moment: the API's JSON gives times to the millisecond."""
    if isinstance(value, str) and isinstance(api_value, str) and value[:4].isdigit():
        with contextlib.suppress(ValueError):
            gap = datetime.fromisoformat(value) - datetime.fromisoformat(api_value)
            return timedelta(0) <= gap < timedelta(milliseconds=1)
    return bool(api_value == value)


def test_an_exercise_no_lesson_lists_takes_no_submission(
    api: ApiClient, flask_exercise: Exercise
) -> None:
    # The browser's endpoints refuse it the same way (tests/grader/test_views.py).
    Exercise.objects.filter(pk=flask_exercise.pk).update(lesson=None)
    response = api.post("/api/v1/submissions", body())

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_exercise"
    assert not Submission.objects.exists()


def test_my_submissions_are_listed_newest_first_a_page_at_a_time(
    api: ApiClient, other_api: ApiClient, flask_exercise: Exercise
) -> None:
    ids = [api.post("/api/v1/submissions", body()).json()["id"] for _ in range(5)]
    other_api.post("/api/v1/submissions", body())

    first = api.get("/api/v1/submissions?exercise=flask-hello-world&per_page=2").json()
    assert first["count"] == 5
    assert [item["id"] for item in first["items"]] == ids[::-1][:2]
    assert first["previous"] is None
    second = api.get(first["next"].removeprefix("http://testserver")).json()
    assert [item["id"] for item in second["items"]] == ids[::-1][2:4]
    last = api.get("/api/v1/submissions?exercise=flask-hello-world&per_page=2&page=3").json()
    assert [item["id"] for item in last["items"]] == ids[:1]
    assert last["next"] is None

    missing = api.get("/api/v1/submissions?exercise=nope")
    assert missing.status_code == 404


def test_nobody_reads_or_cancels_another_learners_submission(
    api: ApiClient, other_api: ApiClient, flask_exercise: Exercise
) -> None:
    submission_id = api.post("/api/v1/submissions", body()).json()["id"]

    for response in (
        other_api.get(f"/api/v1/submissions/{submission_id}"),
        other_api.get(f"/api/v1/submissions/{submission_id}/events"),
        other_api.post(f"/api/v1/submissions/{submission_id}/cancel"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert other_api.get("/api/v1/submissions").json()["count"] == 0
    assert Submission.objects.get(pk=submission_id).status == "queued"
    # An unknown id looks the same as someone else's.
    assert other_api.get(f"/api/v1/submissions/{uuid.uuid4()}").status_code == 404


def test_a_queued_submission_is_cancelled_and_then_cannot_be_again(
    api: ApiClient, flask_exercise: Exercise
) -> None:
    submission_id = api.post("/api/v1/submissions", body()).json()["id"]

    cancelled = api.post(f"/api/v1/submissions/{submission_id}/cancel")
    assert cancelled.status_code == 200
    document = cancelled.json()
    assert document["status"] == "cancelled"
    assert document["result"]["verdict"] == "cancelled"
    assert document["events"][-1]["type"] == "completed"

    again = api.post(f"/api/v1/submissions/{submission_id}/cancel")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_cancellable"


def test_cancelling_a_running_submission_is_accepted_for_its_worker_to_carry_out(
    api: ApiClient, flask_exercise: Exercise
) -> None:
    submission_id = api.post("/api/v1/submissions", body()).json()["id"]
    submission_claim(submission_id=uuid.UUID(submission_id), worker="w")

    response = api.post(f"/api/v1/submissions/{submission_id}/cancel")

    # Still running: the worker kills its container and the result follows.
    assert response.status_code == 202
    assert response.json()["status"] == "running"
    assert Submission.objects.get(pk=submission_id).cancel_requested_at is not None


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        ("{not json", 400, "invalid_json"),
        (json.dumps({"files": {"app.py": "x"}}), 422, "validation_error"),
        (json.dumps(body(files={"app.py": 3})), 422, "validation_error"),
        (json.dumps(body(files=[])), 422, "validation_error"),
        (json.dumps(body(mode="grade")), 422, "validation_error"),
        (json.dumps(body(files={})), 400, "empty_submission"),
        (json.dumps(body(files={"../etc/passwd": "x"})), 400, "invalid_file_name"),
        (json.dumps(body(files={"app.py": "x" * 300_000})), 413, "submission_too_large"),
        (json.dumps(body(exercise="nope")), 404, "unknown_exercise"),
        (json.dumps(body(callback_url="ftp://example.com/")), 422, "invalid_callback_url"),
        (json.dumps(body(on_behalf_of="other")), 403, "forbidden"),
    ],
)
def test_bad_requests_get_the_right_status_and_code(
    api: ApiClient, flask_exercise: Exercise, raw: str, status: int, code: str
) -> None:
    response = api.post("/api/v1/submissions", raw)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert not Submission.objects.exists()


def over_the_upload_limit() -> str:
    """A submission body just over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB)."""
    size = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024
    return json.dumps(body(files={"app.py": "x" * size}))


@pytest.mark.parametrize("size", [2_400_000, 3_000_000, 10_000_000])
def test_every_oversized_body_gets_413_with_the_error_json(
    api: ApiClient, flask_exercise: Exercise, size: int
) -> None:
    response = api.post("/api/v1/submissions", json.dumps(body(files={"app.py": "x" * size})))

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    code = response.json()["error"]["code"]
    # Under Django's upload limit the grader's own size check answers; over it, Django's.
    below = size < django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert code == ("submission_too_large" if below else "request_too_large")
    assert not Submission.objects.exists()


@pytest.mark.parametrize("with_length", [True, False])
async def test_an_oversized_body_gets_413_json_over_asgi_too(
    learner_token: NewApiToken, flask_exercise: Exercise, with_length: bool
) -> None:
    # The ASGI handler Daphne runs, with and without a Content-Length (chunked).
    raw = over_the_upload_limit().encode()
    headers = [
        (b"host", b"testserver"),
        (b"authorization", f"Bearer {learner_token.raw_token}".encode()),
        (b"content-type", b"application/json"),
    ]
    if with_length:
        headers.append((b"content-length", str(len(raw)).encode()))
    communicator = HttpCommunicator(application, "POST", "/api/v1/submissions", raw, headers)

    response = await communicator.get_response(timeout=60)

    assert response["status"] == 413
    assert json.loads(response["body"])["error"]["code"] == "request_too_large"
    assert not await sync_to_async(Submission.objects.exists)()


def post_labelled(api: ApiClient, content_type: str) -> Any:
    """A valid JSON submission, sent with `content_type` as its Content-Type."""
    return api.client.post(
        "/api/v1/submissions",
        data=json.dumps(body()),
        content_type=content_type,
        headers=api.headers,
    )


@pytest.mark.parametrize(
    "content_type", ["text/plain", "", "application/x-www-form-urlencoded", "text/json"]
)
def test_a_body_not_sent_as_json_gets_415(
    api: ApiClient, flask_exercise: Exercise, content_type: str
) -> None:
    response = post_labelled(api, content_type)

    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "application/json" in error["message"]
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_a_json_body_is_taken_with_any_spelling_of_its_type(
    api: ApiClient, flask_exercise: Exercise, content_type: str
) -> None:
    response = post_labelled(api, content_type)
    assert response.status_code == 202, response.json()


def test_wait_must_be_between_0_and_30(api: ApiClient, flask_exercise: Exercise) -> None:
    response = api.post("/api/v1/submissions?wait=31", body())
    assert response.status_code == 422
    assert "wait" in response.json()["error"]["fields"]


def test_a_retry_with_the_same_idempotency_key_returns_the_first_submission(
    api: ApiClient, flask_exercise: Exercise
) -> None:
    first = api.post("/api/v1/submissions", body(), **{"Idempotency-Key": "build-42"})
    again = api.post("/api/v1/submissions", body(), **{"Idempotency-Key": "build-42"})

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Submission.objects.count() == 1

    other = api.post("/api/v1/submissions", body(mode="run"), **{"Idempotency-Key": "build-42"})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Submission.objects.count() == 1


def test_idempotency_keys_belong_to_their_user(
    api: ApiClient, other_api: ApiClient, flask_exercise: Exercise, other_learner: User
) -> None:
    mine = api.post("/api/v1/submissions", body(), **{"Idempotency-Key": "build-42"})
    theirs = other_api.post("/api/v1/submissions", body(), **{"Idempotency-Key": "build-42"})
    mine_again = api.post("/api/v1/submissions", body(), **{"Idempotency-Key": "build-42"})

    # Another learner's key of the same name is another key: a submission of their own.
    assert (mine.status_code, theirs.status_code) == (202, 202)
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != mine.json()["id"]
    assert Submission.objects.get(pk=theirs.json()["id"]).user == other_learner
    # The same key from the same learner is the same submission.
    assert mine_again["Idempotent-Replayed"] == "true"
    assert mine_again.json()["id"] == mine.json()["id"]
    assert Submission.objects.count() == 2


def test_a_replay_describes_the_submission_as_it_is_now(
    api: ApiClient, flask_exercise: Exercise
) -> None:
    key = {"Idempotency-Key": "ci-7"}
    first = api.post("/api/v1/submissions", body(), **key)
    assert (first.status_code, first.json()["status"], first.json()["position"]) == (
        202,
        "queued",
        1,
    )
    submission_id = first.json()["id"]

    submission_claim(submission_id=uuid.UUID(submission_id), worker="w")
    running = api.post("/api/v1/submissions", body(), **key)
    assert running.status_code == 202
    assert (running.json()["status"], running.json()["position"]) == ("running", 0)
    assert running["Idempotent-Replayed"] == "true"

    # A final one: the whole submission with 200, as ?wait=N answers when it is ready.
    other_key = {"Idempotency-Key": "ci-8"}
    cancelled_id = api.post("/api/v1/submissions", body(), **other_key).json()["id"]
    api.post(f"/api/v1/submissions/{cancelled_id}/cancel")
    final = api.post("/api/v1/submissions", body(), **other_key)
    assert final.status_code == 200
    assert final.json()["status"] == "cancelled"
    assert final.json()["result"]["verdict"] == "cancelled"
    assert final.json()["events"][-1]["type"] == "completed"
    assert final["Location"] == final.json()["urls"]["self"]
    assert Submission.objects.count() == 2


@pytest.mark.docker
def test_a_replay_after_grading_answers_200_with_the_result(
    api: ApiClient, flask_exercise: Exercise
) -> None:
    key = {"Idempotency-Key": "graded"}
    submission_id = api.post("/api/v1/submissions", body(), **key).json()["id"]
    assert grade_submission(uuid.UUID(submission_id))

    again = api.post("/api/v1/submissions", body(), **key)

    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    document = again.json()
    assert (document["id"], document["status"]) == (submission_id, "completed")
    assert document["result"]["status"] == "fail"  # the starter
    assert Submission.objects.count() == 1


def test_concurrent_retries_with_one_key_make_one_submission(
    learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    def send(_: int) -> tuple[int, str]:
        try:
            response = ApiClient(learner_token).post(
                "/api/v1/submissions", body(), **{"Idempotency-Key": "same"}
            )
            return response.status_code, response.json()["id"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))

    assert {status for status, _ in answers} == {202}
    assert len({submission_id for _, submission_id in answers}) == 1
    assert Submission.objects.count() == 1


def test_threads_racing_through_the_api_cannot_pass_the_limit(
    learner_token: NewApiToken, flask_exercise: Exercise, settings: Any
) -> None:
    settings.SUBMISSIONS_ACTIVE_PER_USER = 3

    def send(_: int) -> tuple[int, str, str | None]:
        try:
            response = ApiClient(learner_token).post("/api/v1/submissions", body())
            code = response.json().get("error", {}).get("code", "created")
            return response.status_code, code, response.get("Retry-After")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, range(16)))

    assert sum(1 for status, _, _ in answers if status == 202) == 3
    refused = [answer for answer in answers if answer[0] != 202]
    assert len(refused) == 13
    assert all(answer[:2] == (429, "too_many_active") for answer in refused)
    assert all(retry_after == "5" for _, _, retry_after in refused)
    assert Submission.objects.count() == 3


def test_the_rate_limit_answers_429_with_retry_after(
    api: ApiClient, flask_exercise: Exercise, settings: Any
) -> None:
    settings.SUBMISSIONS_PER_MINUTE = 2
    for _ in range(2):
        assert api.post("/api/v1/submissions", body()).status_code == 202

    response = api.post("/api/v1/submissions", body())

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_an_instructor_submits_on_behalf_of_a_learner_of_their_course(
    flask_exercise: Exercise, learner: User, other_learner: User, instructor: User
) -> None:
    Course.objects.get(slug="python-backend").instructors.add(instructor)
    ci = ApiClient(instructor_token(instructor))

    response = ci.post("/api/v1/submissions", body(on_behalf_of="learner"))

    assert response.status_code == 202
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.user == learner
    assert submission.submitted_by == instructor
    # The learner sees it as theirs; the instructor can follow what they sent.
    learner_view = ApiClient(api_token_create(user=learner, name="l")).get(
        f"/api/v1/submissions/{submission.id}"
    )
    assert learner_view.json()["submitted_by"] == "instructor"
    assert ci.get(f"/api/v1/submissions/{submission.id}").status_code == 200
    # ...but no one else's.
    mine = ApiClient(api_token_create(user=other_learner, name="o"))
    assert mine.get(f"/api/v1/submissions/{submission.id}").status_code == 404

    unknown = ci.post("/api/v1/submissions", body(on_behalf_of="nobody"))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "unknown_learner")


def test_on_behalf_needs_the_scope_and_to_teach_the_course(
    flask_exercise: Exercise, learner: User, instructor: User
) -> None:
    course = Course.objects.get(slug="python-backend")
    course.instructors.add(instructor)
    unscoped = ApiClient(instructor_token(instructor, scoped=False))
    assert unscoped.post("/api/v1/submissions", body(on_behalf_of="learner")).status_code == 403

    scoped = ApiClient(instructor_token(instructor))
    course.instructors.remove(instructor)
    refused = scoped.post("/api/v1/submissions", body(on_behalf_of="learner"))
    assert refused.status_code == 403
    assert "instructors of the course" in refused.json()["error"]["message"]
    assert not Submission.objects.exists()
