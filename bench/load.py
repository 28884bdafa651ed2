"""make load: 300 submissions from 50 learners at once, against a real server.

Starts Daphne with the in-process grader on a scratch database, logs in 50
learners, and has each send 6 submissions of the Flask hello-world exercise as
fast as the server lets it (a 429 is waited out as its Retry-After says),
following each on its WebSocket. The mix: reference solutions, failing
starters, and hostile code (a memory bomb, a fork bomb, an output flood, an
infinite loop). Meanwhile another client loads a lesson page twice a second.

It prints throughput, latencies, how the queue moved, the page times and the
web process's memory, and checks that every submission was graded exactly
once and no learner ever had more submissions in the queue than allowed.

    python -m bench.load [--learners 50] [--each 6]
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path

from bench.grading_latency import (
    EXERCISE,
    EXERCISE_DIR,
    PROJECT_DIR,
    percentile,
    prepare_database,
)

LESSON = "/courses/python-backend/hello-flask/"
HEAD = "from flask import Flask\napp = Flask(__name__)\n"
HOSTILE = {
    "memory bomb": HEAD + '@app.get("/hello")\ndef hello():\n    x = []\n'
    "    while True:\n        x.append(bytearray(10_000_000))\n",
    "fork bomb": HEAD + 'import os\n@app.get("/hello")\ndef hello():\n'
    "    while True:\n        os.fork()\n",
    "output flood": HEAD + '@app.get("/hello")\ndef hello():\n    while True:\n'
    '        print("x" * 1000)\n',
    "infinite loop": HEAD + '@app.get("/hello")\ndef hello():\n    while True:\n        pass\n',
}


@dataclass
class Outcome:
    kind: str
    submitted: float = 0.0
    finished: float = 0.0
    verdict: str = ""
    positions: list[int] = field(default_factory=list)
    refused: int = 0


def mix(index: int) -> tuple[str, str]:
    """(kind, app.py): half solutions, a third starters, the rest hostile."""
    slot = index % 12
    if slot < 6:
        return "solution", (EXERCISE_DIR / "solution" / "app.py").read_text()
    if slot < 10:
        return "starter", (EXERCISE_DIR / "starter" / "app.py").read_text()
    name = list(HOSTILE)[(index // 12 * 2 + slot) % len(HOSTILE)]
    return name, HOSTILE[name]


def learner_run(site: object, submissions: list[tuple[str, str]], outcomes: list[Outcome]) -> None:
    """One learner sends all their submissions at once, each from its own tab."""
    tabs = [
        threading.Thread(target=tab_run, args=(site, kind, code, outcomes))
        for kind, code in submissions
    ]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()


def tab_run(site: object, kind: str, code: str, outcomes: list[Outcome]) -> None:
    """Send one submission, waiting out 429s as told, and follow it to its result."""
    from tests.live_server import Site

    assert isinstance(site, Site)
    outcome = Outcome(kind=kind, submitted=time.perf_counter())
    while True:
        try:
            _, created = site.post_json(
                f"/exercises/{EXERCISE}/submissions/", {"files": {"app.py": code}}
            )
            break
        except urllib.error.HTTPError as error:
            if error.code != 429:
                raise
            outcome.refused += 1
            time.sleep(float(error.headers.get("Retry-After", "1")))
    messages = site.listen(created["id"], until=lambda m: m.get("type") == "completed", timeout=600)
    outcome.finished = time.perf_counter()
    outcome.positions = [m["data"]["position"] for m in messages if m["type"] == "position"]
    outcome.verdict = messages[-1]["data"]["result"]["verdict"]
    outcomes.append(outcome)


def page_prober(site: object, stop: threading.Event, times: list[float]) -> None:
    from tests.live_server import Site

    assert isinstance(site, Site)
    while not stop.is_set():
        began = time.perf_counter()
        site.get(LESSON)
        times.append(time.perf_counter() - began)
        stop.wait(0.5)


def memory_sampler(pid: int, stop: threading.Event, samples: list[int]) -> None:
    while not stop.is_set():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                samples.append(int(line.split()[1]) * 1024)
        stop.wait(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--each", type=int, default=6)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR))

    with tempfile.TemporaryDirectory(prefix="lectern-load-") as scratch:
        database_url = f"sqlite:///{Path(scratch) / 'load.sqlite3'}"
        prepare_database(database_url)
        os.environ.update(
            DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1"
        )
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth.models import User

        from grader.models import Submission
        from tests.live_server import Site, daphne_server

        learners = [User.objects.create_user(f"load-{n}") for n in range(args.learners)]
        outcomes: list[Outcome] = []
        page_times: list[float] = []
        memory: list[int] = []
        stop = threading.Event()
        with daphne_server(database_url=database_url, log_dir=Path(scratch)) as site:
            assert site.process is not None
            sites = []
            for learner in learners:
                browser = Site(int(site.base.rsplit(":", 1)[1]))
                browser.timeout = 120
                browser.log_in_as(learner)
                browser.get(LESSON)
                sites.append(browser)
            watchers = [
                threading.Thread(target=page_prober, args=(site, stop, page_times)),
                threading.Thread(target=memory_sampler, args=(site.process.pid, stop, memory)),
            ]
            for watcher in watchers:
                watcher.start()
            began = time.perf_counter()
            threads = [
                threading.Thread(
                    target=learner_run,
                    args=(browser, [mix(n * args.each + i) for i in range(args.each)], outcomes),
                )
                for n, browser in enumerate(sites)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            stop.set()
            for watcher in watchers:
                watcher.join()

        report(outcomes, elapsed, page_times, memory, args.learners * args.each)
        check(Submission, settings.SUBMISSIONS_ACTIVE_PER_USER, args.learners * args.each)


def report(
    outcomes: list[Outcome], elapsed: float, pages: list[float], memory: list[int], total: int
) -> None:
    latencies = [o.finished - o.submitted for o in outcomes]
    verdicts: dict[str, int] = {}
    for outcome in outcomes:
        key = f"{outcome.kind} -> {outcome.verdict}"
        verdicts[key] = verdicts.get(key, 0) + 1
    moved = sum(1 for o in outcomes if len(set(o.positions)) > 1)
    print(f"{len(outcomes)} of {total} submissions graded in {elapsed:.0f} s")
    print(f"  throughput      {len(outcomes) / elapsed * 60:.1f} gradings a minute")
    print(
        f"  submit->result  p50 {percentile(latencies, 0.5):.1f} s  "
        f"p95 {percentile(latencies, 0.95):.1f} s  max {max(latencies):.1f} s"
    )
    print(f"  refused (429), waited out   {sum(o.refused for o in outcomes)}")
    print(f"  saw their queue position move   {moved} submissions")
    print(
        f"  lesson page     p50 {statistics.median(pages) * 1000:.0f} ms  "
        f"p95 {percentile(pages, 0.95) * 1000:.0f} ms  max {max(pages) * 1000:.0f} ms  "
        f"({sum(1 for t in pages if t > 1)} of {len(pages)} over 1 s)"
    )
    print(f"  web process RSS max {max(memory) / 2**20:.0f} MiB")
    for key, count in sorted(verdicts.items()):
        print(f"  {count:4}  {key}")


def check(submission_model: type, limit: int, total: int) -> None:
    submissions = list(submission_model.objects.all())  # type: ignore[attr-defined]
    problems = []
    if len(submissions) != total:
        problems.append(f"{len(submissions)} submissions stored, {total} sent")
    for submission in submissions:
        if submission.status != "completed" or submission.grading_attempts != 1:
            problems.append(f"{submission.id}: {submission.status}, {submission.grading_attempts}")
        if submission.events.filter(type="completed").count() != 1:
            problems.append(f"{submission.id}: not exactly one result")
    by_user: dict[int, list[tuple[float, float]]] = {}
    for submission in submissions:
        spans = by_user.setdefault(submission.user_id, [])
        spans.append((submission.created_at.timestamp(), submission.finished_at.timestamp()))
    for user, spans in by_user.items():
        for start, _ in spans:
            active = sum(1 for s, e in spans if s <= start < e)
            if active > limit:
                problems.append(f"learner {user} had {active} submissions active at once")
                break
    print("  checks: " + ("all graded once, limits held" if not problems else "; ".join(problems)))
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
