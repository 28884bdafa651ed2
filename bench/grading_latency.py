"""make bench: how long a learner waits, against how long the tests take.

Starts Daphne with the inline grader on a scratch database, with the sandbox
pool on and then off, submits the Flask hello-world reference solution RUNS
times one after another over HTTP, and times each from the POST to the final
event on the WebSocket (and to its first event, and from "started" to the
first test). Then runs a bare `python -m pytest` on the same files in a fresh
container of the same image and limits, and prints the ratios; last, whole
sandbox runs under runc and gVisor, pooled and fresh. It prints figures;
nothing asserts on them.

    python -m bench.grading_latency [--runs 20] [--pause 1.0]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandboxes.runner import SandboxJob

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXERCISE = "flask-hello-world"
EXERCISE_DIR = PROJECT_DIR / "lessons" / "content" / "python-backend" / "exercises" / EXERCISE


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def folder_files(folder: str) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted((EXERCISE_DIR / folder).glob("*"))}


def prepare_database(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    for command in (["migrate", "--noinput", "-v", "0"], ["load_lessons"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


@dataclass
class EndToEnd:
    """Seconds, per submission: POST to final event; POST returned to the first
    event (queued); the "started" event to the first test's result."""

    totals: list[float] = field(default_factory=list)
    first_event: list[float] = field(default_factory=list)
    first_test: list[float] = field(default_factory=list)
    pooled: int = 0


def timed_events(site: Any, submission_id: str) -> list[tuple[float, dict[str, Any]]]:
    """Every message on the submission's socket, with when it arrived."""
    from websockets.sync.client import connect
    from websockets.typing import Origin

    received = []
    with connect(
        f"{site.ws_base}/ws/submissions/{submission_id}/",
        origin=Origin(site.base),
        additional_headers={"Cookie": f"sessionid={site.cookie('sessionid')}"},
    ) as websocket:
        for message in websocket:  # ends when the server closes after `completed`
            received.append((time.perf_counter(), json.loads(message)))
    return received


def scratch_database(scratch: str) -> str:
    """A migrated SQLite database with the course loaded, in `scratch`, that this
    process (Django set up on it) and the servers it starts share; its URL."""
    database_url = f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
    prepare_database(database_url)
    os.environ.update(
        DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1"
    )
    import django

    django.setup()
    return database_url


def end_to_end_seconds(
    runs: int, workdir: Path, database_url: str, *, pool_size: int, pause: float
) -> EndToEnd:
    from django.contrib.auth.models import User

    from tests.live_server import daphne_server

    learner, _ = User.objects.get_or_create(username="bench-learner")
    files = folder_files("solution")
    measured = EndToEnd()
    # One learner submits one after another, faster than the per-minute limit allows.
    with daphne_server(
        database_url=database_url,
        log_dir=workdir,
        SUBMISSIONS_PER_MINUTE="1000",
        SANDBOX_POOL_SIZE=str(pool_size),
    ) as site:
        site.log_in_as(learner)
        site.get("/courses/python-backend/hello-flask/")  # the CSRF cookie
        for run in range(runs + 1):
            # A learner reads the result before the next try; the pool refills meanwhile.
            time.sleep(pause)
            began = time.perf_counter()
            _, created = site.post_json(f"/exercises/{EXERCISE}/submissions/", {"files": files})
            posted = time.perf_counter()
            events = timed_events(site, created["id"])
            elapsed = time.perf_counter() - began
            result = events[-1][1]["data"]["result"]
            if result["status"] != "pass":
                raise SystemExit(f"the reference solution did not pass: {result['message']}")
            if not run:  # the first run warms caches and is not counted
                continue
            measured.totals.append(elapsed)
            measured.first_event.append(events[0][0] - posted)
            started = next(at for at, event in events if event["type"] == "started")
            first_test = next(at for at, event in events if event["type"] == "test")
            measured.first_test.append(first_test - started)
            measured.pooled += result.get("timings", {}).get("sandbox") == "pooled"
    return measured


def exercise_job() -> "SandboxJob":
    """The reference solution of the exercise as loaded into the scratch database."""
    from lessons.models import Exercise
    from sandboxes.harness import HarnessMode
    from sandboxes.limits import limits_resolve
    from sandboxes.runner import SandboxJob

    exercise = Exercise.objects.get(slug=EXERCISE)
    return SandboxJob(
        files=folder_files("solution"),
        visible_tests=exercise.visible_test_files,
        hidden_tests=exercise.hidden_test_files,
        limits=limits_resolve(exercise.limits),
        harness=HarnessMode.from_dict(exercise.harness),
    )


def bare_pytest_seconds(runs: int) -> tuple[list[float], list[float]]:
    from sandboxes.runner import sandbox_bare_pytest

    job = exercise_job()
    inside, whole = [], []
    for run in range(runs + 1):
        bare = sandbox_bare_pytest(job)
        if bare.exit_code != 0:
            raise SystemExit(f"bare pytest failed with exit code {bare.exit_code}")
        if run:
            inside.append(bare.pytest_ms / 1000)
            whole.append(bare.container_ms / 1000)
    return inside, whole


def runtime_seconds(runtime: str, runs: int, *, pooled: bool) -> tuple[list[float], int]:
    """Whole sandbox runs of the reference solution under `runtime`, from a
    full pool (waited for before each run) or fresh containers; and how many
    runs had a pooled container."""
    from django.conf import settings

    from sandboxes.runner import sandbox_pool, sandbox_pool_stop, sandbox_profile, sandbox_run

    settings.SANDBOX_RUNTIME = "" if runtime == "runc" else runtime
    settings.SANDBOX_POOL_SIZE = 1 if pooled else 0
    sandbox_pool_stop()
    job = exercise_job()
    totals, hits = [], 0
    for run in range(runs + 1):
        pool = sandbox_pool()
        if pool is not None:
            pool.want([sandbox_profile(job.harness, job.limits)])
            deadline = time.monotonic() + 60
            while pool.stats()["idle"] < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)  # its helpers' imports and pytest's warm-up done
        done = sandbox_run(job)
        if run:
            totals.append(done.timings_ms["total"] / 1000)
            hits += done.pooled
    sandbox_pool_stop()
    return totals, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--pause", type=float, default=1.0, help="seconds between one learner's submissions"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR))

    with tempfile.TemporaryDirectory(prefix="lectern-bench-") as scratch:
        database_url = scratch_database(scratch)
        from django.conf import settings

        pool_size = settings.SANDBOX_POOL_SIZE or settings.GRADER_WORKERS
        end_to_end = {
            size: end_to_end_seconds(
                args.runs, Path(scratch), database_url, pool_size=size, pause=args.pause
            )
            for size in (pool_size, 0)
        }
        pytest_inside, bare_container = bare_pytest_seconds(args.runs)
        runtimes = {
            (runtime, pooled): runtime_seconds(runtime, args.runs, pooled=pooled)
            for runtime in ("runc", "runsc")
            for pooled in (True, False)
        }

    bare = statistics.median(pytest_inside)
    bare_whole = statistics.median(bare_container)
    print(
        f"Flask hello-world, reference solution, {args.runs} runs each (after one warm-up), "
        f"{args.pause:.1f} s between submissions"
    )
    print(f"  bare `python -m pytest` in image  p50 {bare:6.2f} s   (pytest alone)")
    print(f"  bare pytest incl. its container   p50 {bare_whole:6.2f} s")
    for size, measured in end_to_end.items():
        label = f"pool of {size}" if size else "pool off"
        p50, p95 = percentile(measured.totals, 0.5), percentile(measured.totals, 0.95)
        print(
            f"  submit -> final event, {label:10} p50 {p50:6.2f} s   p95 {p95:6.2f} s   "
            f"= {p50 / bare_whole:4.2f}x / {p95 / bare_whole:4.2f}x the bare container "
            f"({measured.pooled} of {args.runs} from the pool)"
        )
        first_event_ms = statistics.median(measured.first_event) * 1000
        first_test_ms = statistics.median(measured.first_test) * 1000
        print(
            f"      POST returned -> first event p50 {first_event_ms:4.0f} ms   "
            f"started -> first test p50 {first_test_ms:4.0f} ms "
            f"(max {max(measured.first_test) * 1000:4.0f} ms)"
        )
    print("Sandbox runs by runtime, the same run (whole sandbox run, p50 / p95)")
    for (runtime, pooled), (totals, hits) in runtimes.items():
        label = f"pooled ({hits}/{args.runs})" if pooled else "fresh"
        print(
            f"  {runtime:5}  {label:14}  {statistics.median(totals):5.2f} s   "
            f"{percentile(totals, 0.95):5.2f} s"
        )


if __name__ == "__main__":
    main()
