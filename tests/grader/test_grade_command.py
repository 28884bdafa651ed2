"""`manage.py grade` as a user runs it: a separate process on the test database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from grader.models import Submission
from lessons.models import Exercise
from tests.conftest import FLASK_EXERCISE_DIR
from tests.live_server import live_database_url

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def grade(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "test-only-key",
        "DATABASE_URL": live_database_url(),
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "grade", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_result_of_the_reference_solution(flask_exercise: Exercise) -> None:
    finished = grade("flask-hello-world", str(FLASK_EXERCISE_DIR / "solution" / "app.py"), "--json")

    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert result["status"] == "pass"
    assert result["score"] == result["max_score"] == flask_exercise.max_score
    stored = Submission.objects.get()
    assert stored.source == Submission.Source.COMMAND
    assert stored.result == result


def test_a_failing_submission_still_exits_zero_and_prints_each_test(
    flask_exercise: Exercise,
) -> None:
    finished = grade("flask-hello-world", str(FLASK_EXERCISE_DIR / "starter" / "app.py"))

    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    assert lines[0] == "queued (position 1)"
    assert any(line.startswith("FAIL  test_hello_returns_200") for line in lines)
    assert lines[-1].startswith("FAIL: ")


def test_a_syntax_error_is_reported_and_exits_zero(
    flask_exercise: Exercise, tmp_path: Path
) -> None:
    broken = tmp_path / "app.py"
    broken.write_text("def hello(:\n    pass\n")
    finished = grade("flask-hello-world", str(broken), "--json")

    assert finished.returncode == 0
    result = json.loads(finished.stdout)
    assert result["verdict"] == "syntax_error"
    assert result["gradable"] is False


def test_usage_errors_exit_2_with_one_line_and_store_nothing(
    flask_exercise: Exercise, tmp_path: Path
) -> None:
    not_utf8 = tmp_path / "app.py"
    not_utf8.write_bytes(b"x = '\xff'\n")
    wrong_name = tmp_path / "conftest.py"
    wrong_name.write_text("x = 1\n")
    cases = [
        (("no-such-exercise", str(not_utf8)), "unknown exercise 'no-such-exercise'"),
        (("flask-hello-world", str(tmp_path / "missing.py")), "cannot read"),
        (("flask-hello-world", str(not_utf8)), "is not UTF-8 text"),
        (("flask-hello-world", str(wrong_name)), "it accepts: app.py"),
    ]
    for args, says in cases:
        finished = grade(*args)
        assert finished.returncode == 2, (args, finished.stderr)
        assert says in finished.stderr
        assert len(finished.stderr.strip().splitlines()) == 1
    assert Submission.objects.count() == 0


def test_infrastructure_errors_exit_3(flask_exercise: Exercise) -> None:
    solution = str(FLASK_EXERCISE_DIR / "solution" / "app.py")

    no_engine = grade("flask-hello-world", solution, DOCKER_HOST="unix:///nonexistent.sock")
    assert no_engine.returncode == 3
    assert "No Docker engine answers" in no_engine.stderr

    no_image = grade("flask-hello-world", solution, SANDBOX_IMAGE="lectern-sandbox:missing")
    assert no_image.returncode == 3
    assert "sandbox image lectern-sandbox:missing is missing" in no_image.stderr
    assert Submission.objects.count() == 0
