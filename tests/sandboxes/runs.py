"""Running learner files in the real sandbox from tests, and scoring them as
the grader does.

Learner code runs in the learner process, never in the test runner's: a
probe that looks at the sandbox from inside is therefore learner code
(`probe.py`), which a small test file calls through the function-mode
stand-ins and which answers with plain data the test asserts on. A trick
proves that it ran by printing a marker: `printed(run)` is everything the
learner's code printed, in tests and outside them.
"""

import json
import subprocess
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings

from grader.results import result_build
from lessons.models import Exercise
from sandboxes.engine import docker_client
from sandboxes.harness import HarnessMode
from sandboxes.limits import limits_resolve
from sandboxes.runner import (
    LABEL,
    ReportedTest,
    SandboxJob,
    SandboxRun,
    sandbox_run,
)

FLASK_HEAD = "from flask import Flask\napp = Flask(__name__)\n"
# Learner code of the probes: the uid a process runs as, None once it is gone.
UID_OF_SOURCE = """
def uid_of(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except OSError:
        return None
"""

# What the processes in a sandbox may find in their environment: how they were
# started, nothing of the host's and nothing secret.
HARMLESS_VARIABLES = {"PATH", "HOME", "HOSTNAME", "LANG", "LC_ALL", "TMPDIR", "TERM"}


def variable_is_harmless(name: str) -> bool:
    return name in HARMLESS_VARIABLES or name.startswith(("PYTHON", "PYTEST"))


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
        harness=HarnessMode.from_dict(exercise.harness),
    )
    run = sandbox_run(job)
    return run, result_build(tests_spec=exercise.tests, run=run, limits=resolved)


def run_job(
    files: Mapping[str, str],
    visible: Mapping[str, str],
    hidden: Mapping[str, str] | None = None,
    *,
    on_test: Callable[[ReportedTest], None] | None = None,
    **limits: Any,
) -> SandboxRun:
    """A function-mode job of our own: `files` are the learner's, the tests ours."""
    job = SandboxJob(
        files=dict(files),
        visible_tests=dict(visible),
        hidden_tests=dict(hidden or {}),
        limits=limits_resolve(limits),
        harness=HarnessMode(mode="function"),
    )
    return sandbox_run(job, on_test=on_test)


def run_probe(
    probe: str,
    tests: str,
    *,
    hidden_tests: str = "",
    on_test: Callable[[ReportedTest], None] | None = None,
    **limits: Any,
) -> SandboxRun:
    """Look at the sandbox from where learner code runs: `probe` is the learner's
    `probe.py`, `tests` a test file (`test_probe.py`) that imports it and asserts
    on what its functions return; `hidden_tests` (`test_probe_hidden.py`) run in
    the hidden phase. `on_test` hears each test as the harness reports it."""
    hidden = {"test_probe_hidden.py": hidden_tests} if hidden_tests else {}
    return run_job({"probe.py": probe}, {"test_probe.py": tests}, hidden, on_test=on_test, **limits)


def probe_failures(run: SandboxRun) -> dict[str, str]:
    """Tests that did not pass, by name (with their parameters), with their messages."""
    return {
        test.nodeid.split("::")[-1]: f"{test.outcome}: {test.message}"
        for test in run.tests
        if test.outcome != "pass"
    }


def printed(run: SandboxRun) -> str:
    """What the learner's code printed in the visible phase, in tests and outside them."""
    return run.output + "".join(test.output for test in run.tests)


def marker(run: SandboxRun, name: str) -> Any:
    """The JSON a trick printed on a line of its own after `name` (which proves
    that it ran, and says what it saw)."""
    for line in printed(run).splitlines():
        if line.startswith(name + " "):
            return json.loads(line[len(name) + 1 :])
    raise AssertionError(f"{name} was not printed: the trick did not run.\n{printed(run)[-3000:]}")


# Unmodified pytest on the files in the sandbox image, without the harness: the
# job on stdin, {test name: passed, failed, error, skipped or xfailed} from
# pytest's JUnit XML on stdout. A parametrized test is one test, failing if any
# case fails. For a web exercise, a conftest.py beside the tests gives them the
# `client` fixture, an httpx.Client calling the app in the same process.
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
modules = {"tests." + name.removesuffix(".py").replace("/", ".") for name in job["tests"]}
rank = ["passed", "skipped", "xfailed", "failed", "error"]
outcomes = {}
for case in ElementTree.parse("/tmp/report.xml").iter("testcase"):
    module_or_class = case.get("classname")
    name = case.get("name").split("[")[0]
    if module_or_class not in modules:
        name = module_or_class.rsplit(".", 1)[1] + "." + name
    outcome = "passed"
    for child in case:
        if child.tag == "failure":
            outcome = "failed"
        elif child.tag == "error":
            outcome = "error"
        elif child.tag == "skipped":
            outcome = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"
    if rank.index(outcome) >= rank.index(outcomes.get(name, "passed")):
        outcomes[name] = outcome
print(json.dumps(outcomes))
"""

_CLIENT_CONFTEST = """
import importlib

import httpx
import pytest

APP = {app!r}


@pytest.fixture
def client():
    module, _, attribute = APP.partition(":")
    app = importlib.import_module(module)
    for name in attribute.split("."):
        app = getattr(app, name)
    transport = httpx.WSGITransport(app=app)
    with httpx.Client(transport=transport, base_url="http://testserver") as http:
        yield http
"""
_plain_outcomes: dict[str, dict[str, str]] = {}


def plain_pytest_outcomes(
    files: Mapping[str, str], tests: Mapping[str, str], *, app: str = ""
) -> dict[str, str]:
    """What plain pytest makes of `tests` against `files`, by test name as the
    grader names them ("test_x", "Class.test_x"). `app` ("module:attr") names a
    WSGI app the tests reach through a `client` fixture.

    A baseline the grader did not compute: `docker run` of the sandbox image with
    `python -m pytest`, no harness, no Lectern code in the container. A hostile
    submission is compared with what honest code earns, and a grader that
    miscounted both would otherwise compare its own mistake with itself.
    """
    tests = dict(tests)
    if app:
        tests["conftest.py"] = _CLIENT_CONFTEST.format(app=app)
    job = json.dumps({"files": dict(files), "tests": tests}, sort_keys=True)
    if job not in _plain_outcomes:
        done = subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                "-i",
                "--network",
                "none",
                "--user",
                "1001:1001",
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
        _plain_outcomes[job] = json.loads(done.stdout)
    return _plain_outcomes[job]


def plain_pytest_score(exercise: Exercise, files: dict[str, str]) -> float:
    """What `files` earn by the exercise's points when plain pytest runs its tests."""
    harness = HarnessMode.from_dict(exercise.harness)
    outcomes = plain_pytest_outcomes(
        files,
        {**exercise.visible_test_files, **exercise.hidden_test_files},
        app=harness.app if harness.mode == "http" else "",
    )
    # Every test of the exercise ran, and nothing else did.
    assert set(outcomes) == {test["name"] for test in exercise.tests}, outcomes
    return sum(
        float(test["points"]) for test in exercise.tests if outcomes[test["name"]] == "passed"
    )


def sandbox_containers() -> dict[str, dict[str, str]]:
    """The grader's containers, by id, with their labels. Sparse: a full listing
    inspects each container, and one removed in between (another run's, going
    away) would make the listing itself fail."""
    listed = docker_client().containers.list(all=True, filters={"label": LABEL}, sparse=True)
    return {str(each.id): dict(each.attrs.get("Labels") or {}) for each in listed}
