# Hidden: the same machinery as tests/test_deploy_files.py, other rules.
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
            "deploy_parse.py": (HERE / "deploy_parse_hidden.py").read_text(encoding="utf-8"),
            "rules.py": (HERE / "deploy_rules_hidden.py").read_text(encoding="utf-8"),
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


def test_workers_come_from_the_environment():
    check("workers")


def test_a_worker_timeout_is_set():
    check("timeout")


def test_only_the_proxy_may_send_forwarded_headers():
    check("forwarded-ips")


def test_the_healthcheck_tool_is_in_the_image():
    check("healthcheck-tool")


def test_the_user_exists_in_the_image():
    check("user-exists")
