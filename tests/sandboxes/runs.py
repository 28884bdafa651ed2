"""Running learner files in the real sandbox from tests, and scoring them as
the grader does."""

from typing import Any

from grader.results import result_build
from lessons.models import Exercise
from sandboxes.limits import limits_resolve
from sandboxes.runner import KILL_GRACE_SECONDS, SandboxJob, SandboxRun, sandbox_run

# How far past its limit a stopped run may end: container start and removal.
MARGIN_SECONDS = KILL_GRACE_SECONDS + 5

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


def run_probe(files: dict[str, str], probe_tests: str, **limits: Any) -> SandboxRun:
    """Run our own test file against `files`, to look at the sandbox from inside."""
    job = SandboxJob(
        files=files,
        visible_tests={"test_probe.py": probe_tests},
        hidden_tests={},
        limits=limits_resolve(limits),
    )
    return sandbox_run(job)


def probe_failures(run: SandboxRun) -> dict[str, str]:
    """Probe tests that did not pass, by name, with their messages."""
    return {
        test.nodeid.split("::")[-1]: test.message for test in run.tests if test.outcome != "pass"
    }
