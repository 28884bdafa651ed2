"""make bench, scaled out: how grading throughput grows with Celery workers.

On PostgreSQL (a scratch database next to DATABASE_URL's) and a Redis server of
its own, one Daphne process with GRADER_BACKEND=celery takes SUBMISSIONS
reference solutions of the Flask hello-world exercise posted all at once, while
1, then 2, then 4 Celery worker processes (each `celery -A config worker` with
concurrency 1, as tests/scale starts them) grade them on this machine's Docker
engine. For each count it prints gradings per minute, submit -> final WebSocket
event latency p50/p95, the median time one grading takes in a worker, and the
ratios to one worker. It prints figures; nothing asserts on them, but every
submission must pass and be graded exactly once or the run stops.

    scripts/services.sh start
    env $(scripts/services.sh urls) python -m bench.scaled_out [--submissions 24] [--workers 1,2,4]
"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.grading_latency import EXERCISE, PROJECT_DIR, folder_files, percentile, prepare_database

LESSON = "/courses/python-backend/hello-flask/"


@dataclass
class Round:
    workers: int
    submissions: int
    seconds: float
    latencies: list[float]
    grading_seconds: list[float]

    @property
    def per_minute(self) -> float:
        return self.submissions / self.seconds * 60


def bench_database_url(database_url: str) -> str:
    """A fresh database on the same PostgreSQL server, so neither the site's data
    nor a test run's database is touched."""
    import psycopg
    from psycopg import sql

    base = database_url.rsplit("/", 1)[0]
    name = database_url.rsplit("/", 1)[1].split("?")[0] + "_bench"
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}"


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def follow(site: Any, files: dict[str, str], began: float, latencies: list[float]) -> None:
    """Post one submission and wait for its final event, as a browser tab does."""
    _, created = site.post_json(f"/exercises/{EXERCISE}/submissions/", {"files": files})
    messages = site.listen(created["id"], until=lambda m: m.get("type") == "completed", timeout=600)
    result = messages[-1]["data"]["result"]
    if result["status"] != "pass":
        raise SystemExit(f"the reference solution did not pass: {result['message']}")
    latencies.append(time.perf_counter() - began)


def batch_run(site: Any, count: int) -> tuple[float, list[float]]:
    """`count` submissions posted at once; the seconds until the last result, and
    each one's latency."""
    files = folder_files("solution")
    latencies: list[float] = []
    began = time.perf_counter()
    tabs = [
        threading.Thread(target=follow, args=(site, files, began, latencies)) for _ in range(count)
    ]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()
    if len(latencies) != count:
        raise SystemExit(f"only {len(latencies)} of {count} submissions got a result")
    return time.perf_counter() - began, latencies


def graded_once_seconds(since: Any) -> list[float]:
    """The grading time (claim to result) of each submission made after `since`,
    after checking that each was graded exactly once."""
    from grader.models import Submission

    seconds = []
    for submission in Submission.objects.filter(created_at__gte=since):
        completed = submission.events.filter(type="completed").count()
        if submission.grading_attempts != 1 or completed != 1:
            raise SystemExit(
                f"submission {submission.id}: {submission.grading_attempts} gradings, "
                f"{completed} completed events"
            )
        assert submission.started_at is not None and submission.finished_at is not None
        seconds.append((submission.finished_at - submission.started_at).total_seconds())
    return seconds


def round_run(site: Any, workers: int, submissions: int, log_dir: Path) -> Round:
    from django.utils import timezone

    from tests.scale.processes import workers_running

    with workers_running(workers, log_dir):
        # A first grading in every worker (imports, first container) is not counted.
        batch_run(site, workers)
        since = timezone.now()
        seconds, latencies = batch_run(site, submissions)
        return Round(workers, submissions, seconds, latencies, graded_once_seconds(since))


def table_print(rounds: list[Round]) -> None:
    one = rounds[0]
    print(
        f"Flask hello-world reference solution, {one.submissions} submissions posted at once "
        f"per row; workers of concurrency 1; {os.cpu_count()} CPUs"
    )
    print(
        "  workers  gradings/min  x 1 worker   latency p50    p95   x 1 worker (p50)"
        "   one grading p50"
    )
    for row in rounds:
        p50, p95 = percentile(row.latencies, 0.5), percentile(row.latencies, 0.95)
        print(
            f"  {row.workers:7}  {row.per_minute:12.1f}  {row.per_minute / one.per_minute:9.2f}x"
            f"  {p50:9.2f} s  {p95:5.2f} s  {p50 / percentile(one.latencies, 0.5):14.2f}x"
            f"  {statistics.median(row.grading_seconds):13.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=24)
    parser.add_argument("--workers", default="1,2,4", help="worker process counts, in order")
    args = parser.parse_args()
    counts = [int(count) for count in args.workers.split(",")]
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "DATABASE_URL must name a PostgreSQL database: "
            "scripts/services.sh start; env $(scripts/services.sh urls) python -m bench.scaled_out"
        )
    sys.path.insert(0, str(PROJECT_DIR))
    with tempfile.TemporaryDirectory(prefix="lectern-bench-scaled-") as scratch:
        # Settings read REDIS_URL once, at set-up: the port is chosen before.
        redis_port = unused_port()
        database_url = bench_database_url(database_url)
        prepare_database(database_url)
        os.environ.update(
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            GRADER_BACKEND="celery",
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="1",
        )
        import django

        django.setup()
        from tests.scale.processes import RedisServer

        # A Redis of its own: nothing queued by a test run can get in the way.
        redis = RedisServer(Path(scratch) / "redis", port=redis_port)
        redis.start()
        try:
            rounds = rounds_run(counts, args.submissions, Path(scratch))
        finally:
            redis.stop()
    table_print(rounds)


def rounds_run(counts: list[int], submissions: int, scratch: Path) -> list[Round]:
    from django.contrib.auth.models import User

    from tests.live_server import daphne_server
    from tests.scale.processes import services_settings

    learner = User.objects.create_user("bench-learner")
    with daphne_server(
        database_url=os.environ["DATABASE_URL"], log_dir=scratch, **services_settings()
    ) as site:
        site.timeout = 60
        site.log_in_as(learner)
        site.get(LESSON)  # the CSRF cookie
        rounds = []
        for count in counts:
            rounds.append(round_run(site, count, submissions, scratch / f"workers-{count}"))
            print(f"  {count} worker(s): done", flush=True)
    return rounds


if __name__ == "__main__":
    main()
