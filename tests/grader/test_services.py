"""Creating, claiming and recovering submissions (no sandbox involved)."""

import os
import socket
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from grader.models import Submission, SubmissionEvent
from grader.selectors import submission_queue_position, submission_visible_to
from grader.services import (
    WORKER_TOKEN,
    SubmissionInvalid,
    grade_submission,
    submission_claim,
    submission_create,
    submission_files_validate,
    submissions_recover_abandoned,
)
from lessons.models import Exercise
from tests.support.answers import FLASK_APP

pytestmark = pytest.mark.django_db


def create(exercise: Exercise, user: User, files: Any = None) -> Submission:
    return submission_create(
        exercise=exercise, files=FLASK_APP if files is None else files, user=user
    )


def test_a_submission_is_stored_queued_with_its_first_event(
    flask_exercise: Exercise, learner: User
) -> None:
    submission = create(flask_exercise, learner)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED
    assert submission.files == FLASK_APP
    assert submission.user == learner
    events = list(submission.events.values_list("seq", "type", "data"))
    assert events == [(1, "queued", {"position": 1})]


@pytest.mark.parametrize(
    ("files", "code", "status", "says"),
    [
        (["app.py"], "invalid_files", 400, "object of file name to text"),
        ({}, "empty_submission", 400, "app.py"),
        ({"app.py": "   \n"}, "empty_submission", 400, "empty"),
        ({f"f{i}.py": "x" for i in range(21)}, "too_many_files", 400, "at most 20"),
        ({"app.py": "x" * (256 * 1024 + 1)}, "submission_too_large", 413, "256 KiB"),
        ({"app.py": "bad \udc80 byte"}, "undecodable_file", 400, "UTF-8"),
        ({"../app.py": "x = 1"}, "invalid_file_name", 400, "'..'"),
        ({"/etc/passwd": "x = 1"}, "invalid_file_name", 400, "absolute path"),
        ({"conftest.py": "x = 1"}, "invalid_file_name", 400, "accepts: app.py"),
        ({"a" * 300 + ".py": "x = 1"}, "invalid_file_name", 400, "longer than 200"),
        ({"app.py\n": "x = 1"}, "invalid_file_name", 400, "control characters"),
        ({"app\x1b[2J.py": "x = 1"}, "invalid_file_name", 400, "control characters"),
        ({"äpp.py": "x = 1"}, "invalid_file_name", 400, "accepts: app.py"),
        ({"app.py": 42}, "invalid_files", 400, "must be text"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_stored(
    flask_exercise: Exercise, learner: User, files: Any, code: str, status: int, says: str
) -> None:
    with pytest.raises(SubmissionInvalid) as caught:
        create(flask_exercise, learner, files)

    assert caught.value.code == code
    assert caught.value.status == status
    assert says in caught.value.message
    assert Submission.objects.count() == 0
    assert SubmissionEvent.objects.count() == 0


def test_a_web_submission_needs_a_logged_in_learner(flask_exercise: Exercise) -> None:
    for nobody in (AnonymousUser(), None):
        with pytest.raises(SubmissionInvalid) as caught:
            submission_create(exercise=flask_exercise, files=FLASK_APP, user=nobody)
        assert (caught.value.code, caught.value.status) == ("login_required", 401)
    assert Submission.objects.count() == 0


def test_the_command_makes_ownerless_submissions(flask_exercise: Exercise) -> None:
    submission = submission_create(
        exercise=flask_exercise, files=FLASK_APP, source=Submission.Source.COMMAND
    )
    assert submission.user is None


def test_an_unknown_mode_is_refused(flask_exercise: Exercise, learner: User) -> None:
    with pytest.raises(SubmissionInvalid) as caught:
        submission_create(exercise=flask_exercise, files=FLASK_APP, user=learner, mode="debug")
    assert caught.value.code == "invalid_mode"


def test_queue_positions_count_the_submissions_ahead(
    flask_exercise: Exercise, learner: User, other_learner: User
) -> None:
    first = create(flask_exercise, learner)
    second = create(flask_exercise, other_learner)
    third = create(flask_exercise, learner)
    assert [submission_queue_position(submission=s) for s in (first, second, third)] == [1, 2, 3]

    assert submission_claim(submission_id=first.id, worker="test")
    for submission in (first, second, third):
        submission.refresh_from_db()
    assert [submission_queue_position(submission=s) for s in (first, second, third)] == [0, 1, 2]


def test_only_one_worker_can_claim_a_submission(flask_exercise: Exercise, learner: User) -> None:
    submission = create(flask_exercise, learner)

    assert submission_claim(submission_id=submission.id, worker="one") is True
    assert submission_claim(submission_id=submission.id, worker="two") is False
    submission.refresh_from_db()
    assert submission.worker == "one"
    assert submission.grading_attempts == 1


def mark_running(submission: Submission, *, worker: str, lease_in: float) -> None:
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RUNNING,
        worker=worker,
        started_at=timezone.now(),
        grading_attempts=1,
        lease_expires_at=timezone.now() + timedelta(seconds=lease_in),
    )


def dead_pid() -> int:
    """A pid with no process behind it."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def test_abandoned_gradings_go_back_to_the_queue_once(
    flask_exercise: Exercise, learner: User
) -> None:
    expired = create(flask_exercise, learner)
    mark_running(expired, worker="elsewhere:1:abc", lease_in=-1)
    dead_worker = create(flask_exercise, learner)
    mark_running(dead_worker, worker=f"{socket.gethostname()}:{dead_pid()}:abc", lease_in=60)
    restarted = create(flask_exercise, learner)
    # As the pool names its workers: host:pid:token:slot.
    mark_running(restarted, worker=f"{socket.gethostname()}:{os.getpid()}:old:1", lease_in=60)
    alive = create(flask_exercise, learner)
    mark_running(alive, worker=f"{socket.gethostname()}:{os.getpid()}:{WORKER_TOKEN}", lease_in=60)

    recovered = submissions_recover_abandoned()

    assert set(recovered) == {expired.id, dead_worker.id, restarted.id}
    assert submissions_recover_abandoned() == []
    for submission in (expired, dead_worker, restarted):
        submission.refresh_from_db()
        assert submission.status == Submission.Status.QUEUED
        last_event = submission.events.last()
        assert last_event is not None
        assert last_event.data["retry"] is True
    alive.refresh_from_db()
    assert alive.status == Submission.Status.RUNNING


def test_a_submission_is_not_graded_more_than_the_attempt_limit(
    flask_exercise: Exercise, learner: User, settings: Any
) -> None:
    settings.GRADER_MAX_ATTEMPTS = 2
    submission = create(flask_exercise, learner)
    Submission.objects.filter(pk=submission.pk).update(grading_attempts=2)

    assert grade_submission(submission.id) is True

    submission.refresh_from_db()
    assert submission.status == Submission.Status.COMPLETED
    assert submission.result is not None
    assert submission.result["verdict"] == "grader_error"
    assert submission.gradable is False
    assert [e.type for e in submission.events.all()] == ["queued", "completed"]


def test_submissions_are_visible_to_their_owner_only(
    flask_exercise: Exercise, learner: User, other_learner: User, instructor: User
) -> None:
    mine = create(flask_exercise, learner)
    ownerless = submission_create(
        exercise=flask_exercise, files=FLASK_APP, source=Submission.Source.COMMAND
    )

    assert submission_visible_to(submission=mine, user=learner)
    assert not submission_visible_to(submission=mine, user=other_learner)
    assert not submission_visible_to(submission=mine, user=instructor)
    assert not submission_visible_to(submission=mine, user=AnonymousUser())
    assert not submission_visible_to(submission=ownerless, user=AnonymousUser())
    assert not submission_visible_to(submission=ownerless, user=learner)
    superuser = User.objects.create_superuser("root", "root@example.com", "root-password-1")
    assert submission_visible_to(submission=mine, user=superuser)


def test_a_learner_has_a_limited_number_of_submissions_in_the_queue(
    flask_exercise: Exercise, learner: User, other_learner: User, settings: Any
) -> None:
    settings.SUBMISSIONS_ACTIVE_PER_USER = 2
    create(flask_exercise, learner)
    create(flask_exercise, learner)

    with pytest.raises(SubmissionInvalid) as caught:
        create(flask_exercise, learner)
    assert (caught.value.code, caught.value.status) == ("too_many_active", 429)
    assert caught.value.retry_after
    # Others are not held up by this learner, and finishing one frees a place.
    create(flask_exercise, other_learner)
    Submission.objects.filter(user=learner).update(status=Submission.Status.COMPLETED)
    create(flask_exercise, learner)


def test_a_learner_has_a_rate_limit(flask_exercise: Exercise, learner: User, settings: Any) -> None:
    settings.SUBMISSIONS_PER_MINUTE = 3
    for _ in range(3):
        create(flask_exercise, learner)
        Submission.objects.filter(user=learner).update(status=Submission.Status.COMPLETED)

    with pytest.raises(SubmissionInvalid) as caught:
        create(flask_exercise, learner)
    assert (caught.value.code, caught.value.status) == ("rate_limited", 429)
    assert 1 <= (caught.value.retry_after or 0) <= 61


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_race_past_the_limit(
    flask_exercise: Exercise, learner: User, settings: Any
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    settings.SUBMISSIONS_ACTIVE_PER_USER = 3

    def attempt(_: int) -> str:
        try:
            create(flask_exercise, learner)
            return "created"
        except SubmissionInvalid as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(16)))

    assert outcomes.count("created") == 3
    assert outcomes.count("too_many_active") == 13
    assert Submission.objects.filter(user=learner).count() == 3


def test_a_name_cannot_be_both_a_file_and_a_folder(flask_exercise: Exercise) -> None:
    flask_exercise.accepted_files = ["data", "data/inner.py"]
    with pytest.raises(SubmissionInvalid) as caught:
        submission_files_validate(
            exercise=flask_exercise, files={"data": "x", "data/inner.py": "y = 1"}
        )
    assert caught.value.code == "invalid_file_name"
    assert "also the folder of 'data/inner.py'" in caught.value.message
