"""The periodic sweep, one for both backends: what it does is decided here;
when it runs, by its driver. The inline grader runs it on the server's event
loop (grader/inline.py); each Celery worker in its main process, in a thread
started when the worker is ready (Sweeper, below).

Every GRADER_SWEEP_SECONDS:
- gradings whose worker died (lease run out, or a dead process on this host)
  go back to the queue and are dispatched again at once;
- under Celery, submissions that sat queued long after their last task was
  sent (Redis lost it: restarted without persistence, flushed, or the web
  could not reach it) are dispatched again (the inline pool reads the queue
  itself, so nothing is lost there);
- a grader marked unavailable is checked again, so /healthz recovers even when
  nothing is waiting;
- leftover sandbox containers are removed (at the first sweep, then every
  GRADER_PRUNE_SECONDS).

Every CALLBACK_POLL_SECONDS, in a thread of their own, the jobs other apps
registered with `sweep_job_register` run (the api app's: due result
callbacks are delivered).

Why every worker and not one beat process: nothing to elect, nothing to lose
when a host dies. Each job claims its work with a conditional UPDATE (or only
removes what no live grading can own), so two workers sweeping at once do each
thing once; a duplicate task can at worst be sent, and its claim then refuses it.
"""

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from grader.dispatch import submission_dispatch
from grader.models import Submission
from grader.selectors import grader_status_get
from grader.services import grader_status_set, submissions_recover_abandoned
from sandboxes.runner import SandboxUnavailable, engine_check, sandboxes_prune

logger = logging.getLogger(__name__)

# At most this many submissions are dispatched again by one sweep.
REDISPATCH_BATCH = 500
# A regrade's submissions wait behind every live one by design: they are sent
# again only after this many times as long.
REGRADE_PATIENCE = 10


@dataclass
class Sweep:
    """What one sweep did, for the log and the tests."""

    recovered: list[uuid.UUID] = field(default_factory=list)
    redispatched: list[uuid.UUID] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)


def submission_redispatch(*, submission_id: uuid.UUID) -> bool:
    """Send the grading task of a queued submission again, and note when."""
    Submission.objects.filter(pk=submission_id).update(dispatched_at=timezone.now())
    regrade = Submission.objects.filter(
        pk=submission_id, priority=Submission.Priority.REGRADE
    ).exists()
    return submission_dispatch(submission_id=submission_id, regrade=regrade)


def _sent_before(cutoff: datetime) -> Q:
    return Q(dispatched_at__lt=cutoff) | Q(dispatched_at__isnull=True, created_at__lt=cutoff)


def submissions_redispatch_stale(*, older_than: float) -> list[uuid.UUID]:
    """Dispatch again the submissions still queued `older_than` seconds after
    their last task was sent (or their creation, when none was noted)."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than)
    regrade_cutoff = now - timedelta(seconds=older_than * REGRADE_PATIENCE)
    stale = (
        Submission.objects.filter(status=Submission.Status.QUEUED)
        .filter(
            Q(priority=Submission.Priority.LIVE) & _sent_before(cutoff)
            | Q(priority=Submission.Priority.REGRADE) & _sent_before(regrade_cutoff)
        )
        .order_by("priority", "created_at")
        .values_list("id", "dispatched_at", "priority")[:REDISPATCH_BATCH]
    )
    redispatched = []
    for submission_id, dispatched_at, priority in stale:
        # Only the sweep whose UPDATE still sees the old time sends the task.
        same = Q(dispatched_at=dispatched_at) if dispatched_at else Q(dispatched_at__isnull=True)
        won = Submission.objects.filter(
            same, pk=submission_id, status=Submission.Status.QUEUED
        ).update(dispatched_at=now)
        if won:
            logger.warning(
                "submission %s waited %s s without a worker; dispatched again",
                submission_id,
                int(older_than),
            )
            regrade = priority == Submission.Priority.REGRADE
            if submission_dispatch(submission_id=submission_id, regrade=regrade):
                redispatched.append(submission_id)
    return redispatched


def grader_status_refresh() -> None:
    """Mark the grader available again once the sandbox engine answers."""
    if grader_status_get()["available"]:
        return
    try:
        engine_check()
    except SandboxUnavailable:
        return
    grader_status_set(available=True)


# Jobs of apps that build on grader (grader may not import them: the api app's
# result callbacks), registered in their AppConfig.ready(). By name, so that a
# second ready() replaces a job instead of running it twice.
_jobs: dict[str, Callable[[], object]] = {}


def sweep_job_register(name: str, job: Callable[[], object]) -> None:
    """Have the sweep (of the inline grader and of every Celery worker) also run `job`.

    A job must be safe to run in several processes at once (claim its work with
    a conditional UPDATE) and may block on the network: it runs in its own thread.
    """
    _jobs[name] = job


def sweep_jobs_run() -> None:
    """Run every registered job once; each job's failure is logged, not fatal."""
    for name, job in list(_jobs.items()):
        try:
            job()
        except Exception:
            logger.exception("the periodic job %s failed", name)


# When this process prunes next (monotonic seconds): at its first sweep.
_next_prune = 0.0


def _prune_due() -> bool:
    global _next_prune
    now = time.monotonic()
    if now < _next_prune:
        return False
    _next_prune = now + settings.GRADER_PRUNE_SECONDS
    return True


def sweep_run(*, prune: bool | None = None) -> Sweep:
    """One sweep of grader's own jobs (the registered ones are sweep_jobs_run's);
    each job's failure is logged, not fatal. `prune` defaults to whether this
    process's prune is due."""
    done = Sweep()
    try:
        done.recovered = submissions_recover_abandoned()
        for submission_id in done.recovered:
            submission_redispatch(submission_id=submission_id)
    except Exception:
        logger.exception("recovering abandoned gradings failed")
    if settings.GRADER_BACKEND == "celery":
        try:
            done.redispatched = submissions_redispatch_stale(
                older_than=settings.GRADER_REDISPATCH_SECONDS
            )
        except Exception:
            logger.exception("dispatching stale submissions again failed")
    try:
        grader_status_refresh()
        if _prune_due() if prune is None else prune:
            done.pruned = sandboxes_prune()
    except SandboxUnavailable:
        pass
    except Exception:
        logger.exception("checking the sandboxes failed")
    return done


class Sweeper(threading.Thread):
    """A Celery worker's driver of the sweep: sweep_run every GRADER_SWEEP_SECONDS
    (with jitter, so that workers started together do not sweep in step) until
    stopped, and the registered jobs every CALLBACK_POLL_SECONDS in a thread of
    their own: a callback receiver that is slow to answer must never hold up
    the recovery of a dead worker's grading."""

    def __init__(self) -> None:
        super().__init__(name="lectern-sweeper", daemon=True)
        self.stopping = threading.Event()
        self.jobs = threading.Thread(target=self._jobs_run, name="lectern-sweep-jobs", daemon=True)

    def _every(self, seconds: float, job: Callable[[], object]) -> None:
        while not self.stopping.is_set():
            try:
                job()
            finally:
                # The thread's own connections; never left open across a pause.
                connections.close_all()
            self.stopping.wait(seconds * random.uniform(0.8, 1.2))  # noqa: S311 - jitter

    def _jobs_run(self) -> None:
        self._every(settings.CALLBACK_POLL_SECONDS, sweep_jobs_run)

    def run(self) -> None:
        self.jobs.start()
        self._every(settings.GRADER_SWEEP_SECONDS, sweep_run)


_sweeper: Sweeper | None = None


def sweeper_start() -> None:
    """Start this process's sweeper (once)."""
    global _sweeper
    if _sweeper is None or not _sweeper.is_alive():
        _sweeper = Sweeper()
        _sweeper.start()
        logger.info("grader sweeper started (every %s s)", settings.GRADER_SWEEP_SECONDS)


def sweeper_stop() -> None:
    if _sweeper is not None:
        _sweeper.stopping.set()
        _sweeper.join(timeout=10)
