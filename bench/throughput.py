"""make bench, throughput: how many gradings a minute one machine gives, with
the sandbox pool on and off, against what it can churn at all.

On a scratch SQLite database, Daphne with the in-process grader is given
SUBMISSIONS submissions at once: a mix of passing and failing Flask
hello-world and FastAPI products submissions. It prints gradings per minute
(first claim to last result) with the pool on and off, next to the ceiling:
how many bare single-use containers of the sandbox image running
`python -c "import pytest, flask"` this machine churns a minute at the same
concurrency, and the floor: the same for containers doing only the least a
grading must (two processes' imports and one trivial pytest session). Then
fairness: two infinite loops are queued ahead of a correct Flask submission,
and the correct one's wait is printed. Last, the memory the pool's idle
containers hold. Every submission must be graded exactly once or the run stops.
It prints figures; nothing asserts on them.

    python -m bench.throughput [--submissions 200] [--parts throughput,fairness,memory]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.grading_latency import PROJECT_DIR, scratch_database

EXERCISES_DIR = PROJECT_DIR / "lessons" / "content" / "python-backend" / "exercises"
MIX = [
    ("flask-hello-world", "solution"),
    ("flask-hello-world", "starter"),
    ("fastapi-products", "solution"),
    ("fastapi-products", "starter"),
]
INFINITE_LOOP = (
    "from flask import Flask\napp = Flask(__name__)\n"
    '@app.get("/hello")\ndef hello():\n    while True:\n        pass\n'
)


def files_of(exercise: str, folder: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((EXERCISES_DIR / exercise / folder).glob("*"))}


def queue(batch: list[tuple[str, dict[str, str]]]) -> list[str]:
    """Store the submissions as queued, as the site would; their ids."""
    from django.contrib.auth.models import User

    from grader.services import submission_create
    from lessons.models import Exercise

    learner, _ = User.objects.get_or_create(username="bench-throughput")
    exercises = {exercise.slug: exercise for exercise in Exercise.objects.all()}
    return [
        str(submission_create(exercise=exercises[slug], files=files, user=learner).id)
        for slug, files in batch
    ]


def wait_graded(ids: list[str], timeout: float = 1800) -> None:
    from grader.models import Submission

    deadline = time.monotonic() + timeout
    while Submission.objects.filter(pk__in=ids).exclude(status="completed").exists():
        if time.monotonic() > deadline:
            raise SystemExit("submissions were still not graded after 30 minutes")
        time.sleep(0.2)


def graded_once(ids: list[str]) -> list[Any]:
    from grader.models import Submission

    submissions = list(Submission.objects.filter(pk__in=ids))
    for submission in submissions:
        completed = submission.events.filter(type="completed").count()
        if submission.grading_attempts != 1 or completed != 1:
            raise SystemExit(
                f"submission {submission.id}: {submission.grading_attempts} gradings, "
                f"{completed} completed events"
            )
    return submissions


def throughput_round(count: int, pool_size: int, workdir: Path, database_url: str) -> dict:
    from tests.live_server import daphne_server

    batch = [
        (slug, files_of(slug, folder))
        for slug, folder in (MIX[index % len(MIX)] for index in range(count))
    ]
    with daphne_server(
        database_url=database_url,
        log_dir=workdir,
        SANDBOX_POOL_SIZE=str(pool_size),
        GRADER_POLL_SECONDS="0.1",
    ) as site:
        # Let the pool fill as it would on a server that has been up a while.
        time.sleep(5)
        site.get_json("/healthz")
        ids = queue(batch)
        wait_graded(ids)
    submissions = graded_once(ids)
    first = min(s.started_at for s in submissions)
    last = max(s.finished_at for s in submissions)
    seconds = (last - first).total_seconds()
    pooled = sum(1 for s in submissions if s.result["timings"].get("sandbox") == "pooled")
    gradings = [(s.finished_at - s.started_at).total_seconds() for s in submissions]
    return {
        "per_minute": count / seconds * 60,
        "seconds": seconds,
        "pooled": pooled,
        "grading_p50": statistics.median(gradings),
        "verdicts": sorted({s.result["verdict"] for s in submissions}),
    }


CEILING_CODE = "import pytest, flask"
# The least a grading can do with its tests run by pytest in one process and
# the learner's code in another: the two processes' imports and one pytest
# session over a trivial test, without the supervisor, the app or a hidden phase.
FLOOR_CODE = (
    "import os, subprocess, sys\n"
    "learner = subprocess.Popen([sys.executable, '-c', 'import flask, waitress'])\n"
    "import httpx, pytest\n"
    "os.chdir('/tmp')\n"
    "open('test_trivial.py', 'w').write('def test_trivial():\\n    assert True\\n')\n"
    "session = pytest.main(['-q', '-p', 'no:cacheprovider', 'test_trivial.py'])\n"
    "sys.exit(learner.wait() or session)\n"
)


def bare_per_minute(count: int, concurrency: int, code: str) -> float:
    """Bare single-use containers of the image running `python -c code`,
    `concurrency` at a time."""
    from sandboxes.runner import sandbox_bare_python

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as threads:
        exits = list(threads.map(lambda _: sandbox_bare_python(code), range(count)))
    if any(exits):
        raise SystemExit(f"a bare container failed: exit codes {sorted(set(exits))}")
    return count / (time.monotonic() - began) * 60


def fairness_seconds(rounds: int, workdir: Path, database_url: str) -> list[float]:
    """The wait of a correct submission queued right behind two infinite loops."""
    from grader.models import Submission
    from tests.live_server import daphne_server

    waits = []
    with daphne_server(
        database_url=database_url, log_dir=workdir, GRADER_POLL_SECONDS="0.1"
    ) as site:
        time.sleep(5)
        site.get_json("/healthz")
        for _ in range(rounds):
            loops = queue([("flask-hello-world", {"app.py": INFINITE_LOOP})] * 2)
            time.sleep(0.5)  # they are ahead in the queue, and running
            correct = queue([("flask-hello-world", files_of("flask-hello-world", "solution"))])
            wait_graded(correct)
            submission = Submission.objects.get(pk=correct[0])
            result, finished = submission.result or {}, submission.finished_at
            if result.get("status") != "pass" or finished is None:
                raise SystemExit(f"the correct submission did not pass: {result}")
            waits.append((finished - submission.created_at).total_seconds())
            wait_graded(loops)
    return waits


def idle_pool_memory(size: int) -> list[int]:
    """Memory (bytes) each idle container of a full pool of `size` holds."""
    from django.conf import settings

    from sandboxes.harness import HarnessMode, harness_preload
    from sandboxes.limits import limits_resolve
    from sandboxes.runner import (
        pooled_memory_usage,
        sandbox_pool,
        sandbox_pool_stop,
        sandbox_profile,
    )

    settings.SANDBOX_POOL_SIZE = size
    pool = sandbox_pool()
    assert pool is not None
    reference = files_of("flask-hello-world", "solution")
    harness = HarnessMode(
        mode="http", app="app:app", preload=harness_preload(mode="http", reference_files=reference)
    )
    pool.want([sandbox_profile(harness, limits_resolve())])
    deadline = time.monotonic() + 120
    while pool.stats()["idle"] < size and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # the helpers' warm-up done
    usage = pooled_memory_usage()
    sandbox_pool_stop()
    return usage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--fairness-rounds", type=int, default=5)
    parser.add_argument(
        "--parts", default="throughput,fairness,memory", help="which figures, comma-separated"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    sys.path.insert(0, str(PROJECT_DIR))

    with tempfile.TemporaryDirectory(prefix="lectern-bench-") as scratch:
        database_url = scratch_database(scratch)
        from django.conf import settings

        # This process only stores the batch; the server grades it.
        settings.SUBMISSIONS_ACTIVE_PER_USER = settings.SUBMISSIONS_PER_MINUTE = 100_000
        concurrency = settings.GRADER_WORKERS
        rounds, ceiling, floor, waits, memory = {}, 0.0, 0.0, [], []
        if "throughput" in parts:
            rounds = {
                size: throughput_round(args.submissions, size, Path(scratch), database_url)
                for size in (concurrency, 0)
            }
            bare_count = min(args.submissions, 100)
            ceiling = bare_per_minute(bare_count, concurrency, CEILING_CODE)
            floor = bare_per_minute(bare_count, concurrency, FLOOR_CODE)
        if "fairness" in parts:
            waits = fairness_seconds(args.fairness_rounds, Path(scratch), database_url)
        if "memory" in parts:
            memory = idle_pool_memory(concurrency)

    if rounds:
        print(
            f"Throughput: {args.submissions} submissions queued at once (Flask and FastAPI, "
            f"passing and failing), in-process grader, {concurrency} gradings at a time, "
            f"{os.cpu_count()} CPUs"
        )
    for size, figures in rounds.items():
        label = f"pool of {size}" if size else "pool off"
        print(
            f"  {label:10}  {figures['per_minute']:6.0f} gradings/min   "
            f"({figures['seconds']:5.1f} s; {figures['pooled']} from the pool; "
            f"one grading p50 {figures['grading_p50']:.2f} s)   "
            f"{figures['per_minute'] / ceiling:4.0%} of the ceiling"
        )
    if rounds:
        print(f"  ceiling     {ceiling:6.0f} bare containers/min (`{CEILING_CODE}`)")
        print(
            f"  floor       {floor:6.0f} bare containers/min, {floor / ceiling:4.0%} of the "
            "ceiling (pytest+httpx and flask+waitress in two processes, one trivial pytest session)"
        )
    if waits:
        print(
            f"Fairness: a correct Flask submission behind two infinite loops, "
            f"{args.fairness_rounds} rounds: waited p50 {statistics.median(waits):.2f} s, "
            f"max {max(waits):.2f} s"
        )
    if memory:
        print(
            f"Memory: {len(memory)} idle pooled Flask containers hold "
            f"{statistics.median(memory) / 2**20:.0f} MiB each (p50; "
            f"max {max(memory) / 2**20:.0f} MiB, total {sum(memory) / 2**20:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
