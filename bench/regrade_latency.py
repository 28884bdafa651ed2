"""make bench: how long a learner waits for a result while a regrade of 50 runs.

Starts Daphne with the inline grader (GRADER_WORKERS=2) on a scratch database
with the shipped course, makes a class of 50 learners whose submissions of the
Flask hello-world exercise the server grades, then times live submissions
(from being stored to being graded, read from the database) first with the
grader idle, then while the server regrades all 50. Regrades wait behind live
submissions and one worker is kept for live ones (grader/regrades.py), so the
two should be close; first come first served would make a learner wait for
the regrades queued ahead. It prints figures; nothing asserts on them.

    python -m bench.regrade_latency [--learners 50] [--live 5]
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench.grading_latency import EXERCISE, folder_files, percentile, scratch_database

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from lessons.models import Exercise

WORKERS = 2


def _wait(condition: Callable[[], bool], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the grader")
        time.sleep(0.05)


def _live_seconds(exercise: "Exercise", learner: "User") -> tuple[float, float]:
    """Send one live submission; seconds from stored to graded, and of them
    the wait in the queue (stored to started)."""
    from grader.models import Submission
    from grader.services import submission_create

    submission = submission_create(exercise=exercise, files=folder_files("solution"), user=learner)
    done = Submission.objects.filter(pk=submission.pk, status=Submission.Status.COMPLETED)
    _wait(done.exists)
    graded = done.get()
    assert graded.finished_at is not None and graded.started_at is not None
    return (
        (graded.finished_at - graded.created_at).total_seconds(),
        (graded.started_at - graded.created_at).total_seconds(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--live", type=int, default=5)
    args = parser.parse_args()
    # One learner sends the live submissions, more often than a learner may.
    os.environ["SUBMISSIONS_PER_MINUTE"] = "1000"
    with tempfile.TemporaryDirectory() as scratch:
        database_url = scratch_database(scratch)
        from django.contrib.auth.models import User

        from classes.services import classroom_create, classroom_join
        from grader.models import Regrade, Submission
        from grader.regrades import regrade_progress, regrade_start
        from grader.services import submission_create
        from lessons.models import Exercise
        from tests.live_server import daphne_server

        exercise = Exercise.objects.select_related("course").get(slug=EXERCISE)
        instructor = User.objects.create_user("bench-instructor")
        exercise.course.instructors.add(instructor)
        classroom = classroom_create(course=exercise.course, name="Bench", created_by=instructor)
        learners = [User.objects.create_user(f"bench-{n:03}") for n in range(args.learners)]
        for learner in learners:
            classroom_join(user=learner, code=classroom.join_code)
        live_learner = User.objects.create_user("bench-live")
        with daphne_server(
            database_url=database_url,
            log_dir=Path(scratch),
            GRADER_WORKERS=str(WORKERS),
            GRADER_POLL_SECONDS="0.05",
            SUBMISSIONS_PER_MINUTE="1000",
        ):
            originals = [
                submission_create(
                    exercise=exercise,
                    files=folder_files("solution" if n % 2 else "starter"),
                    user=learner,
                ).pk
                for n, learner in enumerate(learners)
            ]
            graded = Submission.objects.filter(pk__in=originals, status=Submission.Status.COMPLETED)
            _wait(lambda: graded.count() == len(originals))

            idle = [_live_seconds(exercise, live_learner) for _ in range(args.live)]

            started = time.monotonic()
            regrade = regrade_start(
                classroom=classroom,
                exercise=exercise,
                which=Regrade.Which.LATEST,
                requested_by=instructor,
            )
            during: list[tuple[float, float]] = []
            queued_ahead: list[int] = []
            while not regrade_progress(regrade=regrade).finished:
                queued_ahead.append(regrade_progress(regrade=regrade).waiting)
                during.append(_live_seconds(exercise, live_learner))
            regrade_seconds = time.monotonic() - started
            per_grading = statistics.median(
                (s.finished_at - s.started_at).total_seconds()
                for s in regrade.submissions.all()
                if s.finished_at and s.started_at
            )

    print(f"Live submissions during a regrade of {args.learners} (inline, {WORKERS} workers):")
    for label, timings in (("grader idle", idle), ("during the regrade", during)):
        if not timings:
            print(f"  {label}: the regrade ended before a live submission could be sent")
            continue
        total, queued = [t for t, _ in timings], [q for _, q in timings]
        print(
            f"  {label + ':':20} stored to graded median {statistics.median(total):.2f} s, "
            f"p90 {percentile(total, 0.9):.2f} s; of it in the queue median "
            f"{statistics.median(queued):.2f} s, p90 {percentile(queued, 0.9):.2f} s "
            f"({len(timings)} submissions)"
        )
    if idle and during:
        ratio = statistics.median(t for t, _ in during) / statistics.median(t for t, _ in idle)
        print(f"  during / idle: {ratio:.2f}x (the regrade's gradings share the CPU)")
        # What a learner would have waited behind the regrades queued ahead,
        # first come first served, with both workers on them.
        fifo = statistics.median(queued_ahead) * per_grading / WORKERS
        print(
            f"  first come first served instead: about {fifo:.1f} s more in the queue "
            f"(median {statistics.median(queued_ahead):.0f} regrades queued ahead, "
            f"{per_grading:.2f} s a grading)"
        )
    print(f"  the regrade itself took {regrade_seconds:.1f} s")


if __name__ == "__main__":
    main()
