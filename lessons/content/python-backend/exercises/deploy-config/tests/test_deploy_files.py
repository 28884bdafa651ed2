# These tests read your Dockerfile and gunicorn.conf.py as text: nothing is
# built or started. The rules are in deploy_rules.py, and how the files are
# read is in deploy_parse.py (both beside this file). The rules run where your
# files are, through learner_tools.pytest_run, and send back one line per rule.
import functools
import json
from pathlib import Path

import pytest
from learner_tools import pytest_run

HERE = Path(__file__).parent
MARKER = "DEPLOY-RULES "
INSPECT = f"""
import json
from pathlib import Path

import deploy_parse
import rules


def test_inspect():
    texts = [Path(name).read_text(encoding="utf-8") for name in ("Dockerfile", "gunicorn.conf.py")]
    print({MARKER!r} + json.dumps(deploy_parse.run_rules(rules.RULES, *texts)))
"""


@functools.cache
def problems():
    done = pytest_run(
        files={
            "deploy_parse.py": (HERE / "deploy_parse.py").read_text(encoding="utf-8"),
            "rules.py": (HERE / "deploy_rules.py").read_text(encoding="utf-8"),
            "test_inspect.py": INSPECT,
            "pytest.ini": "[pytest]\naddopts = -s\n",
        },
        tests=["Dockerfile", "gunicorn.conf.py"],
    )
    for line in reversed(done["output"].splitlines()):
        if line.startswith(MARKER):
            return json.loads(line.removeprefix(MARKER))
    raise AssertionError(f"the files could not be inspected:\n{done['output']}")


def check(rule):
    problem = problems()[rule]
    if problem:
        pytest.fail(problem, pytrace=False)


def test_base_image_is_pinned_and_slim():
    check("base-image")


def test_requirements_are_installed_before_the_code_is_copied():
    check("requirements-first")


def test_the_container_does_not_run_as_root():
    check("non-root-user")


def test_no_secrets_are_baked_into_the_image():
    check("no-secrets")


def test_the_container_starts_gunicorn():
    check("runs-gunicorn")


def test_gunicorn_listens_on_all_interfaces():
    check("bind")


def test_a_healthcheck_probes_healthz():
    check("healthcheck")
