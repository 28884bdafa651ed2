from typing import Any

import pytest

from lessons.models import Exercise
from tests.conftest import exercise_files
from tests.sandboxes.runs import run_exercise


@pytest.fixture(params=["runc", "runsc"])
def runtime(request: pytest.FixtureRequest, settings: Any) -> str:
    """Docker's default runtime, and gVisor: hostile code must meet the same walls in both."""
    settings.SANDBOX_RUNTIME = "" if request.param == "runc" else request.param
    return str(request.param)


@pytest.fixture
def honest_starter_score(flask_exercise: Exercise, runtime: str) -> float:
    """What the untouched starter earns: no trick may earn more than this."""
    _, result = run_exercise(flask_exercise, exercise_files("starter"))
    return float(result["score"])
