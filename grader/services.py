"""The path of a submission: validate and store it, dispatch it, grade it once.

Views, consumers, commands and workers call these functions; nothing else
changes a Submission's state.
"""

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.refusals import Refused
from grader import dispatch
from grader.models import GraderStatus, Submission, SubmissionEvent, TrySession
from grader.results import (
    nodeid_test_name,
    result_build,
    result_for_cancelled,
    result_for_failure,
    result_test_entry,
)
from grader.selectors import (
    graded_submissions,
    submission_get_visible,
    submission_queue_position,
)
from grader.submission_events import event_append, grader_status_publish, positions_publish
from grader.vocabulary import Verdict
from learning.services import exercise_progress_best_set, exercise_progress_record
from lessons.learner_files import learner_files_check
from lessons.models import Exercise
from sandboxes.harness import HarnessMode
from sandboxes.limits import LimitError, SandboxLimits, limits_resolve
from sandboxes.runner import (
    KILL_GRACE_SECONDS,
    ReportedTest,
    SandboxFailure,
    SandboxJob,
    SandboxUnavailable,
    sandbox_pool,
    sandbox_profile,
    sandbox_run,
)

logger = logging.getLogger(__name__)

# A worker's identity: host and pid find it, the token tells a restarted
# process (which may get the same pid in a container) from the old one.
WORKER_TOKEN = uuid.uuid4().hex[:8]


class SubmissionInvalid(Refused):
    """A submission or cancel refused (config/refusals.py); nothing was stored."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{WORKER_TOKEN}"


# --- creating --------------------------------------------------------------------


def submission_files_validate(*, exercise: Exercise, files: object) -> dict[str, str]:
    """Check the files a learner sends; raise SubmissionInvalid saying what to fix."""
    return learner_files_check(
        exercise=exercise, files=files, kind="submission", refusal=SubmissionInvalid
    )


def submission_create(
    *,
    exercise: Exercise,
    files: object,
    user: User | AnonymousUser | None = None,
    source: str = Submission.Source.WEB,
    mode: str = Submission.Mode.SUBMIT,
    submitted_by: User | None = None,
) -> Submission:
    """Validate, store in state `queued` with its first event, and dispatch after commit.

    Submissions from the site need a logged-in learner; `manage.py grade` makes
    ownerless ones. `submitted_by` is who sent it when that is not the learner
    (an instructor on the learner's behalf); the learner's limits apply.
    """
    owner = user if isinstance(user, User) and user.is_authenticated else None
    if owner is None and source == Submission.Source.WEB:
        raise SubmissionInvalid(
            "login_required", "Log in (or sign up) to run and submit your code.", status=401
        )
    if mode not in Submission.Mode.values:
        raise SubmissionInvalid(
            "invalid_mode", f"mode must be one of: {', '.join(Submission.Mode.values)}."
        )
    clean_files = submission_files_validate(exercise=exercise, files=files)
    if owner is not None:
        learner_limits_check(user=owner, locked=False)
    with transaction.atomic():
        if owner is not None:
            learner_limits_check(user=owner)
        submission = Submission.objects.create(
            exercise=exercise,
            user=owner,
            source=source,
            mode=mode,
            files=clean_files,
            submitted_by=submitted_by or owner,
        )
        event_append(
            submission_id=submission.id,
            type=SubmissionEvent.Type.QUEUED,
            data={"position": submission_queue_position(submission=submission)},
        )
        transaction.on_commit(lambda: dispatch.submission_dispatch(submission_id=submission.id))
    return submission


def learner_limits_check(*, user: User, locked: bool = True) -> None:
    """Refuse a submission, or a try session, over the learner's limits: an open
    try session holds a sandbox like a submission being graded, and counts as one.

    Called once without a lock, so a learner who waits out a 429 costs no write
    transaction, and again inside the creating transaction, where locking the
    learner's row makes concurrent requests of one learner take turns, so none
    can slip past the count (on SQLite, IMMEDIATE transactions already let one
    writer in at a time).
    """
    if locked:
        User.objects.select_for_update().filter(pk=user.pk).exists()
    # An instructor's regrade of the learner's code is not the learner's doing.
    mine = Submission.objects.filter(user=user).exclude(source=Submission.Source.REGRADE)
    active = mine.filter(status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING])
    now = timezone.now()
    tries = TrySession.objects.filter(user=user)
    # An open session whose socket died unclosed counts until its time is up.
    trying = tries.filter(
        ended_at__isnull=True,
        started_at__gte=now - timedelta(seconds=settings.TRY_SESSION_SECONDS + KILL_GRACE_SECONDS),
    )
    if active.count() + trying.count() >= settings.SUBMISSIONS_ACTIVE_PER_USER:
        raise SubmissionInvalid(
            "too_many_active",
            f"You already have {settings.SUBMISSIONS_ACTIVE_PER_USER} submissions waiting or "
            "being graded; send this one when one of them has finished.",
            status=429,
            retry_after=5,
        )
    window_start = now - timedelta(minutes=1)
    recent = sorted(
        [
            *mine.filter(created_at__gte=window_start).values_list("created_at", flat=True),
            *tries.filter(started_at__gte=window_start).values_list("started_at", flat=True),
        ]
    )[: settings.SUBMISSIONS_PER_MINUTE]
    if len(recent) >= settings.SUBMISSIONS_PER_MINUTE:
        wait = (recent[0] - window_start).total_seconds()
        raise SubmissionInvalid(
            "rate_limited",
            f"At most {settings.SUBMISSIONS_PER_MINUTE} submissions a minute; try again in "
            f"{int(wait) + 1} s.",
            status=429,
            retry_after=int(wait) + 1,
        )


def submission_cancel(*, submission_id: uuid.UUID, user: User) -> Submission:
    """Withdraw a submission that has no result yet; cancelled is not an attempt.

    A queued one becomes `cancelled` at once, with a result saying so and a
    final `completed` event, so every client that follows it stops: one
    conditional UPDATE from `queued`, like a worker's claim, so of a cancel and
    a claim racing for the same submission exactly one wins. A running one is
    marked; the worker grading it, on whichever host, kills its container
    within STOP_CHECK_SECONDS and ends it the same way (the returned
    submission is then still `running`). Raises SubmissionInvalid: not_found
    (404) for a submission this user may not see, not_cancellable (409) once it
    is finished.
    """
    submission = submission_get_visible(submission_id=submission_id, user=user)
    if submission is None:
        raise SubmissionInvalid("not_found", "No such submission, or it is not yours.", status=404)
    return submission_withdraw(submission=submission)


def submission_withdraw(*, submission: Submission) -> Submission:
    """submission_cancel without the check of who asks: also what cancelling a
    regrade does to each of its submissions (grader/regrades.py)."""
    result = result_for_cancelled(tests_spec=_tests_spec(submission), running=False)
    now = timezone.now()
    result["timings"] = _result_timings(submission, finished=now)
    with transaction.atomic():
        cancelled = Submission.objects.filter(
            pk=submission.pk, status=Submission.Status.QUEUED
        ).update(status=Submission.Status.CANCELLED, **_result_fields(result, finished=now))
        if cancelled:
            event_append(
                submission_id=submission.pk,
                type=SubmissionEvent.Type.COMPLETED,
                data={"result": result},
            )
            # The submissions behind it move up a place.
            transaction.on_commit(queue_positions_publish)
        elif not Submission.objects.filter(
            pk=submission.pk, status=Submission.Status.RUNNING
        ).update(cancel_requested_at=now):
            status = Submission.objects.filter(pk=submission.pk).values_list("status", flat=True)
            raise SubmissionInvalid(
                "not_cancellable",
                f"Only a queued or running submission can be cancelled; this one is "
                f"{status.get()}.",
                status=409,
            )
    submission.refresh_from_db()
    return submission


def _cancel_requested(submission_id: uuid.UUID) -> bool:
    return Submission.objects.filter(pk=submission_id, cancel_requested_at__isnull=False).exists()


# --- grading ---------------------------------------------------------------------


def _tests_spec(submission: Submission) -> list[dict[str, Any]]:
    """The tests a submission is graded on. Run: the visible tests only, so a
    learner can try things without using an attempt."""
    tests: list[dict[str, Any]] = submission.exercise.tests
    if submission.mode == Submission.Mode.RUN:
        return [t for t in tests if t["visibility"] == "visible"]
    return tests


def _lease_seconds(limits: SandboxLimits) -> float:
    # Long enough for the slowest legitimate run, renewed with every event.
    return max(settings.GRADER_LEASE_SECONDS, limits.wall_seconds + KILL_GRACE_SECONDS + 30)


def submission_claim(*, submission_id: uuid.UUID, worker: str) -> bool:
    """Move a queued submission to running for this worker; False if someone else has it."""
    now = timezone.now()
    claimed = Submission.objects.filter(pk=submission_id, status=Submission.Status.QUEUED).update(
        status=Submission.Status.RUNNING,
        started_at=now,
        worker=worker,
        lease_expires_at=now + timedelta(seconds=settings.GRADER_LEASE_SECONDS),
        grading_attempts=F("grading_attempts") + 1,
    )
    return claimed == 1


def submission_release(*, submission_id: uuid.UUID) -> None:
    """Give a claimed submission back to the queue without counting the attempt
    (the grader could not run it at all)."""
    Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING).update(
        status=Submission.Status.QUEUED,
        worker="",
        lease_expires_at=None,
        started_at=None,
        grading_attempts=F("grading_attempts") - 1,
    )


def submission_next_queued(*, live_only: bool = False) -> uuid.UUID | None:
    """The next submission to grade: live ones before regrades, oldest first."""
    queued = Submission.objects.filter(status=Submission.Status.QUEUED)
    if live_only:
        queued = queued.filter(priority=Submission.Priority.LIVE)
    return queued.order_by("priority", "created_at").values_list("id", flat=True).first()


def submission_grade_next(*, worker: str, live_only: bool = False) -> bool:
    """Claim and grade the next queued submission; False when the queue is empty.
    `live_only`: leave regrades to other workers (grader/inline.py keeps one so)."""
    while True:
        submission_id = submission_next_queued(live_only=live_only)
        if submission_id is None:
            return False
        if grade_submission(submission_id, worker=worker):
            return True


def grade_submission(submission_id: uuid.UUID, *, worker: str | None = None) -> bool:
    """Grade one submission if it is still queued. Both dispatch backends call this.

    Returns False when another worker already has it. Raises SandboxUnavailable
    (after putting the submission back in the queue) when Docker cannot be used.
    """
    worker = worker or worker_name()
    if not submission_claim(submission_id=submission_id, worker=worker):
        return False
    submission = Submission.objects.select_related("exercise", "user").get(pk=submission_id)
    exercise = submission.exercise
    running = submission.mode == Submission.Mode.RUN
    tests_spec = _tests_spec(submission)
    queue_positions_publish()
    if submission.cancel_requested_at is not None:
        # Cancelled while a worker that has since gone was grading it.
        _complete(submission, result_for_cancelled(tests_spec=tests_spec, running=True))
        return True
    if submission.grading_attempts > settings.GRADER_MAX_ATTEMPTS:
        _complete(
            submission,
            result_for_failure(
                tests_spec=tests_spec,
                message="grading was interrupted several times (the grader restarted).",
            ),
        )
        return True
    try:
        limits = limits_resolve(exercise.limits)
    except LimitError as error:
        _complete(submission, result_for_failure(tests_spec=tests_spec, message=str(error)))
        return True
    lease = _lease_seconds(limits)
    event_append(
        submission_id=submission.id,
        type=SubmissionEvent.Type.STARTED,
        data={
            "mode": submission.mode,
            "tests": [
                {"name": t["name"], "visibility": t["visibility"], "max_points": float(t["points"])}
                for t in tests_spec
            ],
        },
        lease_seconds=lease,
    )
    specs = {spec["name"]: spec for spec in tests_spec}

    def on_test(record: ReportedTest) -> None:
        spec = specs.get(nodeid_test_name(record.nodeid))
        if spec is None:
            return
        entry = result_test_entry(spec, [record], not_run="")
        event_append(
            submission_id=submission.id,
            type=SubmissionEvent.Type.TEST,
            data=entry,
            lease_seconds=lease,
        )

    job = SandboxJob(
        files=submission.files,
        visible_tests=exercise.visible_test_files,
        hidden_tests={} if running else exercise.hidden_test_files,
        limits=limits,
        harness=HarnessMode.from_dict(exercise.harness),
        should_stop=lambda: _cancel_requested(submission.id),
    )
    sandbox: dict[str, Any] = {}
    try:
        run = sandbox_run(job, on_test=on_test)
        if run.status == "cancelled":
            result = result_for_cancelled(tests_spec=tests_spec, running=True)
        else:
            result = result_build(tests_spec=tests_spec, run=run, limits=limits)
        sandbox = {
            "sandbox": "pooled" if run.pooled else "fresh",
            "sandbox_wait_ms": run.timings_ms.get("sandbox_wait", 0),
        }
    except SandboxUnavailable:
        submission_release(submission_id=submission.id)
        raise
    except SandboxFailure as error:
        logger.error("grading %s failed: %s", submission.id, error)
        result = result_for_failure(tests_spec=tests_spec, message=str(error))
    except Exception:
        logger.exception("grading %s failed unexpectedly", submission.id)
        result = result_for_failure(tests_spec=tests_spec, message="an internal error.")
    _complete(submission, result, sandbox=sandbox)
    return True


def _complete(
    submission: Submission, result: dict[str, Any], *, sandbox: dict[str, Any] | None = None
) -> None:
    """Store the result. `sandbox`: whether the run's container came from the
    pool, and how long the grading waited for it (docs/sandbox.md, "The pool")."""
    finished = timezone.now()
    result["timings"] = {**_result_timings(submission, finished=finished), **(sandbox or {})}
    cancelled = result["verdict"] == Verdict.CANCELLED
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(
            status=Submission.Status.CANCELLED if cancelled else Submission.Status.COMPLETED,
            lease_expires_at=None,
            **_result_fields(result, finished=finished),
        )
        if (
            submission.mode == Submission.Mode.SUBMIT
            and submission.user is not None
            and not cancelled
        ):
            if submission.source == Submission.Source.REGRADE:
                # Not an attempt: the learner's best is now read from the
                # regraded results in place of the ones they replace.
                _progress_best_recount(user=submission.user, exercise=submission.exercise)
            else:
                exercise_progress_record(
                    user=submission.user, exercise=submission.exercise, result=result
                )
        event_append(
            submission_id=submission.id,
            type=SubmissionEvent.Type.COMPLETED,
            data={"result": result},
        )


def _progress_best_recount(*, user: User, exercise: Exercise) -> None:
    scores = graded_submissions(exercises=[exercise], users=[user]).values_list("score", flat=True)
    exercise_progress_best_set(
        user=user,
        exercise=exercise,
        best_score=max((score or 0.0 for score in scores), default=0.0),
        max_score=exercise.max_score,
    )


def _result_timings(submission: Submission, *, finished: datetime) -> dict[str, Any]:
    """When it was queued, started (None: never) and finished, and the waits between."""
    started = submission.started_at
    waited = (started or finished) - submission.created_at
    return {
        "queued": submission.created_at.isoformat(),
        "started": started.isoformat() if started else None,
        "finished": finished.isoformat(),
        "queued_ms": int(waited.total_seconds() * 1000),
        "grading_ms": int((finished - started).total_seconds() * 1000) if started else 0,
    }


def _result_fields(result: dict[str, Any], *, finished: datetime) -> dict[str, Any]:
    """The columns a final result sets, read from it."""
    return {
        "result": result,
        "score": result["score"],
        "max_score": result["max_score"],
        "result_status": result["status"],
        "gradable": result["gradable"],
        "finished_at": finished,
    }


GRADER_UNAVAILABLE_MESSAGE = (
    "The grader cannot run submissions right now ({reason}). Yours is safe in the queue "
    "and will be graded as soon as the grader is back."
)


def sandbox_pool_prepare(*, recent: int = 50) -> None:
    """Start this process's sandbox pool with the profiles of the exercises
    learners submitted to last (all exercises, when nobody has yet), so that
    the first submissions after a start do not wait for a container."""
    pool = sandbox_pool()
    if pool is None:
        return
    exercise_ids = list(
        Submission.objects.order_by("-created_at").values_list("exercise_id", flat=True)[:recent]
    )
    exercises = {e.pk: e for e in Exercise.objects.only("pk", "harness", "limits")}
    ordered = list(dict.fromkeys(exercise_ids)) or list(exercises)
    profiles = []
    for exercise_id in ordered:
        exercise = exercises.get(exercise_id)
        if exercise is None:
            continue
        try:
            limits = limits_resolve(exercise.limits)
        except LimitError:
            continue
        profiles.append(sandbox_profile(HarnessMode.from_dict(exercise.harness), limits))
    pool.want(list(dict.fromkeys(profiles))[: pool.size])


def grader_status_set(*, available: bool, reason: str = "") -> None:
    """Record whether the grader can reach its sandboxes, and tell waiting learners
    when that changes."""
    message = "" if available else GRADER_UNAVAILABLE_MESSAGE.format(reason=reason)
    status, _ = GraderStatus.objects.get_or_create(pk=1)
    if status.available == available and status.message == message:
        return
    GraderStatus.objects.filter(pk=1).update(available=available, message=message)
    if available:
        logger.info("grader available again")
    else:
        logger.error("grader unavailable: %s", reason)
    # Running ones too: a worker that cannot reach its sandboxes claims a
    # submission and gives it back, so at this moment it may be either.
    waiting = Submission.objects.filter(
        status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING]
    )
    grader_status_publish(
        submission_ids=list(waiting.values_list("id", flat=True)[:200]),
        status={"available": available, "message": message},
    )


def queue_positions_publish(*, limit: int = 200) -> None:
    """Tell the waiting submissions their new place in the queue."""
    queued = Submission.objects.filter(status=Submission.Status.QUEUED).order_by("created_at")
    ids = queued.values_list("id", flat=True)[:limit]
    positions_publish(positions=[(i, position) for position, i in enumerate(ids, 1)])


# --- recovery ----------------------------------------------------------------------


def _worker_is_gone(worker: str) -> bool:
    """True when `worker` ("host:pid:token", maybe with ":slot") ran on this host in
    a process that no longer exists."""
    try:
        host, pid_text, token = worker.split(":")[:3]
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return False
    if pid == os.getpid():
        return token != WORKER_TOKEN
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def submissions_recover_abandoned(
    *, submission_ids: list[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    """Put back in the queue the submissions whose worker died mid-grading:
    those whose lease ran out, and those of a dead process on this host.
    `submission_ids` limits the look to those submissions."""
    now = timezone.now()
    running = Submission.objects.filter(status=Submission.Status.RUNNING)
    if submission_ids is not None:
        running = running.filter(pk__in=submission_ids)
    recovered = []
    for submission_id, worker, lease in running.values_list("id", "worker", "lease_expires_at"):
        if not ((lease is not None and lease < now) or _worker_is_gone(worker)):
            continue
        # One transaction, so that nobody claims it before its `queued` event is stored.
        with transaction.atomic():
            requeued = Submission.objects.filter(
                pk=submission_id, status=Submission.Status.RUNNING, worker=worker
            ).update(status=Submission.Status.QUEUED, worker="", lease_expires_at=None)
            if not requeued:
                continue
            logger.warning("submission %s was abandoned by %s; queued again", submission_id, worker)
            submission = Submission.objects.get(pk=submission_id)
            event_append(
                submission_id=submission_id,
                type=SubmissionEvent.Type.QUEUED,
                data={"position": submission_queue_position(submission=submission), "retry": True},
            )
        recovered.append(submission_id)
    return recovered


def submission_grade_delivered(*, submission_id: uuid.UUID, worker: str | None = None) -> bool:
    """Grade a submission a queue delivered (the Celery task).

    A delivery may be a repeat: the worker that had it died and the broker
    delivered the task again. If the submission is still queued it is graded;
    if it is running under a worker that is gone it is put back and graded; if
    someone else has it, or it is finished, nothing happens.
    """
    if grade_submission(submission_id, worker=worker):
        return True
    if submissions_recover_abandoned(submission_ids=[submission_id]):
        return grade_submission(submission_id, worker=worker)
    return False
