"""Running learner files in the real sandbox from tests, and scoring them as
the grader does."""

import json
import subprocess
from collections.abc import Callable
from typing import Any

from django.conf import settings

from grader.results import result_build
from lessons.models import Exercise
from sandboxes.limits import limits_resolve
from sandboxes.runner import (
    ReportedTest,
    SandboxJob,
    SandboxRun,
    sandbox_run,
)

FLASK_HEAD = "from flask import Flask\napp = Flask(__name__)\n"


def flask_app(body: str) -> dict[str, str]:
    return {"app.py": FLASK_HEAD + body}


def run_exercise(
    exercise: Exercise, files: dict[str, str], **limits: Any
) -> tuple[SandboxRun, dict[str, Any]]:
    resolved = limits_resolve({**exercise.limits, **limits})
    job = SandboxJob(
        files=files,
        visible_tests=exercise.visible_test_files,
        hidden_tests=exercise.hidden_test_files,
        limits=resolved,
    )
    run = sandbox_run(job)
    return run, result_build(tests_spec=exercise.tests, run=run, limits=resolved)


def run_probe(
    files: dict[str, str],
    probe_tests: str,
    on_test: Callable[[ReportedTest], None] | None = None,
    **limits: Any,
) -> SandboxRun:
    """Run our own test file against `files`, to look at the sandbox from inside;
    `on_test` hears each test as the harness reports it."""
    job = SandboxJob(
        files=files,
        visible_tests={"test_probe.py": probe_tests},
        hidden_tests={},
        limits=limits_resolve(limits),
    )
    return sandbox_run(job, on_test=on_test)


def probe_failures(run: SandboxRun) -> dict[str, str]:
    """Probe tests that did not pass, by name, with their messages."""
    return {
        test.nodeid.split("::")[-1]: test.message for test in run.tests if test.outcome != "pass"
    }


# Unmodified pytest on the files in the sandbox image, without the harness: the
# job on stdin, {test name: "passed" or "failed"} from pytest's JUnit XML on stdout.
_PLAIN_PYTEST = """
import json, subprocess, sys, xml.etree.ElementTree as ElementTree
from pathlib import Path
job = json.loads(sys.stdin.read())
for folder, files in (("/work", job["files"]), ("/work/tests", job["tests"])):
    for name, text in files.items():
        Path(folder, name).parent.mkdir(parents=True, exist_ok=True)
        Path(folder, name).write_text(text)
subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "--junitxml=/tmp/report.xml", "tests"], cwd="/work", capture_output=True)
outcomes = {}
for case in ElementTree.parse("/tmp/report.xml").iter("testcase"):
    name = case.get("name").split("[")[0]
    failed = any(child.tag in ("failure", "error", "skipped") for child in case)
    if failed or name not in outcomes:
        outcomes[name] = "failed" if failed else "passed"
print(json.dumps(outcomes))
"""
_plain_scores: dict[str, float] = {}


def plain_pytest_score(exercise: Exercise, files: dict[str, str]) -> float:
    """What `files` earn by the exercise's points when plain pytest runs its tests.

    A baseline the grader did not compute: `docker run` of the sandbox image with
    `python -m pytest`, no harness, no Lectern code in the container. A hostile
    submission is compared with what honest code earns, and a grader that
    miscounted both would otherwise compare its own mistake with itself.
    """
    job = json.dumps(
        {"files": files, "tests": {**exercise.visible_test_files, **exercise.hidden_test_files}},
        sort_keys=True,
    )
    if job not in _plain_scores:
        done = subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                "-i",
                "--network",
                "none",
                "--entrypoint",
                "/opt/lectern/venv/bin/python",
                settings.SANDBOX_IMAGE,
                "-c",
                _PLAIN_PYTEST,
            ],
            input=job.encode(),
            capture_output=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()
        outcomes = json.loads(done.stdout)
        # Every test of the exercise ran, and nothing else did.
        assert set(outcomes) == {test["name"] for test in exercise.tests}, outcomes
        _plain_scores[job] = sum(
            float(test["points"]) for test in exercise.tests if outcomes[test["name"]] == "passed"
        )
    return _plain_scores[job]
