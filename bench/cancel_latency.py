"""make bench: how soon a learner's Cancel stops a running submission.

Runs the Flask hello-world exercise against a view that never returns, in a
real sandbox, and asks it to stop CANCEL_AFTER seconds into the run, as the
grader does when a learner cancels (SandboxJob.should_stop); times from that
moment to the run's end, its container killed and removed. Prints figures
against the exercise's time limit, which is where the run would otherwise
end; nothing asserts on them.

    python -m bench.cancel_latency [--runs 5]
"""

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from functools import partial

from bench.grading_latency import exercise_job, percentile, scratch_database

CANCEL_AFTER = 2.0
LOOPING_VIEW = (
    "from flask import Flask\n"
    "app = Flask(__name__)\n"
    '@app.route("/hello")\n'
    "def hello():\n"
    "    while True:\n"
    "        pass\n"
)


def _past(moment: float) -> bool:
    return time.perf_counter() >= moment


def cancelled_run_seconds(runs: int) -> tuple[list[float], float]:
    """Seconds from the cancel to the end of each run, and the time limit."""
    from sandboxes.runner import sandbox_run

    job = replace(exercise_job(), files={"app.py": LOOPING_VIEW})
    stops = []
    for _ in range(runs):
        cancel_at = time.perf_counter() + CANCEL_AFTER
        run = sandbox_run(replace(job, should_stop=partial(_past, cancel_at)))
        ended = time.perf_counter()
        if run.status != "cancelled":
            raise SystemExit(f"the run was not cancelled but ended as {run.status!r}")
        stops.append(ended - cancel_at)
    return stops, job.limits.wall_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch_database(scratch)
        stops, wall = cancelled_run_seconds(args.runs)
    median = statistics.median(stops)
    print(f"Cancel of a running infinite loop ({args.runs} runs, cancelled {CANCEL_AFTER:g} s in):")
    print(f"  cancel to run ended: median {median:.2f} s, p90 {percentile(stops, 0.9):.2f} s")
    print(
        f"  without it the run goes on to its {wall:g} s limit: "
        f"{wall - CANCEL_AFTER:.1f} s more, {(wall - CANCEL_AFTER) / median:.0f}x longer"
    )


if __name__ == "__main__":
    main()
