from functools import cache
from typing import Any

import pytest

from lessons.models import Exercise
from sandboxes.engine import docker_client
from tests.conftest import exercise_files
from tests.sandboxes.runs import plain_pytest_score


@cache
def _engine_runtimes() -> frozenset[str]:
    return frozenset(docker_client().info().get("Runtimes", {}))


@pytest.fixture(params=["runc", "runsc"])
def runtime(request: pytest.FixtureRequest, settings: Any) -> str:
    """Docker's default runtime, and gVisor: hostile code must meet the same walls in both."""
    if request.param not in _engine_runtimes():
        pytest.fail(f"the Docker engine has no {request.param} runtime (`make setup` adds gVisor)")
    settings.SANDBOX_RUNTIME = "" if request.param == "runc" else request.param
    return str(request.param)


@pytest.fixture
def honest_starter_score(flask_exercise: Exercise) -> float:
    """What the untouched starter earns: no trick may earn more than this. Counted
    by plain pytest, not by the grader under test (see plain_pytest_score)."""
    return plain_pytest_score(flask_exercise, exercise_files("starter"))
