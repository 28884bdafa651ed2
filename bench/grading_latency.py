"""make bench: how long a learner waits, against how long the tests take.

Starts Daphne with the inline grader on a scratch database, submits the Flask
hello-world reference solution RUNS times one after another over HTTP, and
times each from the POST to the final event on the WebSocket. Then runs a bare
`python -m pytest` on the same files in the same image and container limits,
and prints both with their ratio. It prints figures; nothing asserts on them.

    python -m bench.grading_latency [--runs 20]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

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


def end_to_end_seconds(runs: int, workdir: Path, database_url: str) -> list[float]:
    from django.contrib.auth.models import User

    from tests.live_server import daphne_server

    learner = User.objects.create_user("bench-learner")
    files = folder_files("solution")
    latencies = []
    # One learner submits back to back, faster than the per-minute limit allows.
    with daphne_server(
        database_url=database_url, log_dir=workdir, SUBMISSIONS_PER_MINUTE="1000"
    ) as site:
        site.log_in_as(learner)
        site.get("/courses/python-backend/hello-flask/")  # the CSRF cookie
        for run in range(runs + 1):
            began = time.perf_counter()
            _, created = site.post_json(f"/exercises/{EXERCISE}/submissions/", {"files": files})
            events = site.events(created["id"])
            elapsed = time.perf_counter() - began
            result = events[-1]["data"]["result"]
            if result["status"] != "pass":
                raise SystemExit(f"the reference solution did not pass: {result['message']}")
            if run:  # the first run warms caches and is not counted
                latencies.append(elapsed)
    return latencies


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


def runtime_seconds(runtime: str, runs: int) -> tuple[list[float], list[float]]:
    """Container start and whole sandbox run of the reference solution, under `runtime`."""
    from django.conf import settings

    from sandboxes.runner import sandbox_run

    settings.SANDBOX_RUNTIME = "" if runtime == "runc" else runtime
    job = exercise_job()
    starts, totals = [], []
    for run in range(runs + 1):
        timings = sandbox_run(job).timings_ms
        if run:
            starts.append(timings["start"] / 1000)
            totals.append(timings["total"] / 1000)
    return starts, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR))

    with tempfile.TemporaryDirectory(prefix="lectern-bench-") as scratch:
        # This process and the server it starts share a scratch database.
        database_url = f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        prepare_database(database_url)
        os.environ.update(
            DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1"
        )
        import django

        django.setup()
        latencies = end_to_end_seconds(args.runs, Path(scratch), database_url)
        pytest_inside, bare_container = bare_pytest_seconds(args.runs)
        runtimes = {runtime: runtime_seconds(runtime, args.runs) for runtime in ("runc", "runsc")}

    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    bare = statistics.median(pytest_inside)
    bare_whole = statistics.median(bare_container)
    print(f"Flask hello-world, reference solution, {args.runs} runs each (after one warm-up)")
    print(f"  submit -> final WebSocket event   p50 {p50:6.2f} s   p95 {p95:6.2f} s")
    print(f"  bare `python -m pytest` in image  p50 {bare:6.2f} s   (pytest alone)")
    print(f"  bare pytest incl. its container   p50 {bare_whole:6.2f} s")
    print(f"  ratio end-to-end / bare pytest    p50 {p50 / bare:6.1f} x   p95 {p95 / bare:6.1f} x")
    print(f"  ratio end-to-end / bare container p50 {p50 / bare_whole:6.1f} x")
    print("Sandbox runtimes, the same run (container start / whole sandbox run, p50)")
    for runtime, (starts, totals) in runtimes.items():
        print(
            f"  {runtime:5}  start {statistics.median(starts):5.2f} s   "
            f"run {statistics.median(totals):5.2f} s   p95 {percentile(totals, 0.95):5.2f} s"
        )


if __name__ == "__main__":
    main()
