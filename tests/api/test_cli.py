"""The `lectern` command as a user runs it: the installed console script in a
subprocess, with a home and config folder of its own, against Daphne on a free
port; the grading tests use the real in-process grader and Docker sandbox."""

import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from accounts.services import NewApiToken
from grader.models import Submission
from lectern_cli.render import Progress
from lessons.models import Exercise
from tests.conftest import FLASK_EXERCISE_DIR, exercise_files
from tests.live_server import Site, daphne_server, free_port, live_database_url

pytestmark = pytest.mark.django_db(transaction=True)

LECTERN = Path(sys.executable).parent / "lectern"
SLUG = "flask-hello-world"
VISIBLE_TESTS = ["test_hello_returns_200", "test_hello_returns_json_message"]
HIDDEN_TESTS = [
    "test_hello_content_type_is_json",
    "test_post_hello_is_not_allowed",
    "test_unknown_path_is_404",
]


@dataclass
class Cli:
    home: Path

    @property
    def config_file(self) -> Path:
        return self.home / "config" / "lectern" / "config.json"

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            # A developer's own login or colour preference must not leak into the test.
            if not key.startswith("LECTERN_") and key != "NO_COLOR"
        }
        environment.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / "config"))
        return subprocess.run(
            [str(LECTERN), *args],
            cwd=cwd or self.home,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(home)


@pytest.fixture
def site(flask_exercise: Exercise, tmp_path: Path) -> Iterator[Site]:
    """The site without a grader: for the commands that grade nothing."""
    with daphne_server(
        database_url=live_database_url(), log_dir=tmp_path / "logs", GRADER_INLINE_AUTOSTART="0"
    ) as running:
        yield running


@pytest.fixture
def grading_site(flask_exercise: Exercise, tmp_path: Path) -> Iterator[Site]:
    # Unbuffered, so the access log can be read while the server runs.
    with daphne_server(
        database_url=live_database_url(), log_dir=tmp_path / "logs", PYTHONUNBUFFERED="1"
    ) as running:
        yield running


def test_login_checks_the_token_and_saves_it_for_the_owner_only(
    cli: Cli, site: Site, learner_token: NewApiToken
) -> None:
    not_yet = cli.run("exercises")
    assert not_yet.returncode == 2
    assert "not logged in" in not_yet.stderr and "lectern login" in not_yet.stderr

    refused = cli.run("login", "--url", site.base, "--token", "lct_" + "x" * 40)
    assert refused.returncode == 2
    assert "refused the token: it does not know this token" in refused.stderr
    assert f"Make a new one at {site.base}/accounts/tokens/" in refused.stderr
    assert f"lectern login --url {site.base} --token" in refused.stderr
    assert not cli.config_file.exists()

    not_lectern = cli.run("login", "--url", site.base + "/elsewhere", "--token", "lct_x")
    assert not_lectern.returncode == 2
    assert "answered HTTP 404 and does not look like a Lectern site" in not_lectern.stderr

    nobody_there = f"http://127.0.0.1:{free_port()}"
    unreachable = cli.run("login", "--url", nobody_there, "--token", learner_token.raw_token)
    assert unreachable.returncode == 2
    assert f"cannot reach {nobody_there}" in unreachable.stderr
    assert "server is running" in unreachable.stderr
    assert not cli.config_file.exists()

    logged_in = cli.run("login", "--url", site.base + "/", "--token", learner_token.raw_token)
    assert logged_in.returncode == 0, logged_in.stderr
    assert f"Logged in to {site.base} as learner" in logged_in.stdout
    assert stat.S_IMODE(cli.config_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.config_file.parent.stat().st_mode) == 0o700
    assert json.loads(cli.config_file.read_text()) == {
        "url": site.base,
        "token": learner_token.raw_token,
    }

    # A saved login whose server went away is a connection problem, not a crash.
    cli.config_file.write_text(json.dumps({"url": nobody_there, "token": "lct_x"}))
    gone = cli.run("exercises")
    assert gone.returncode == 2
    assert gone.stderr.startswith(f"lectern: cannot reach {nobody_there}")
    assert "Traceback" not in gone.stderr


def test_exercises_are_listed_and_downloaded_with_their_visible_tests(
    cli: Cli, site: Site, learner_token: NewApiToken, flask_exercise: Exercise
) -> None:
    assert cli.run("login", "--url", site.base, "--token", learner_token.raw_token).returncode == 0

    listing = cli.run("exercises")
    assert listing.returncode == 0, listing.stderr
    assert any(
        line.split()[0] == SLUG and "Hello, World in Flask" in line
        for line in listing.stdout.splitlines()
    )
    as_json = cli.run("exercises", "--json")
    assert as_json.returncode == 0
    exercises = {exercise["slug"]: exercise for exercise in json.loads(as_json.stdout)}
    assert exercises[SLUG]["accepted_files"] == ["app.py"]
    assert exercises[SLUG]["max_score"] == flask_exercise.max_score

    downloaded = cli.run("download", SLUG, "work")
    assert downloaded.returncode == 0, downloaded.stderr
    work = cli.home / "work"
    assert sorted(path.name for path in work.iterdir()) == ["app.py", "test_app.py"]
    assert (work / "app.py").read_text() == exercise_files("starter")["app.py"]
    assert (work / "test_app.py").read_text() == exercise_files("tests")["test_app.py"]
    assert f"lectern test {SLUG}" in downloaded.stdout

    # Downloading again keeps the learner's work.
    (work / "app.py").write_text("# mine\n")
    again = cli.run("download", SLUG, "work")
    assert again.returncode == 0
    assert "Kept your app.py" in again.stdout
    assert (work / "app.py").read_text() == "# mine\n"

    unknown = cli.run("download", "no-such-exercise")
    assert unknown.returncode == 2
    assert "no exercise called 'no-such-exercise'" in unknown.stderr
    assert "lectern exercises" in unknown.stderr


@pytest.mark.docker
def test_test_and_submit_report_each_test_and_exit_with_the_verdict(
    cli: Cli, grading_site: Site, learner_token: NewApiToken, learner: User, tmp_path: Path
) -> None:
    assert (
        cli.run("login", "--url", grading_site.base, "--token", learner_token.raw_token).returncode
        == 0
    )
    assert cli.run("download", SLUG, "work").returncode == 0
    work = cli.home / "work"

    # The starter fails the visible tests: exit status 1, each test on a line.
    tested = cli.run("test", SLUG, cwd=work)
    assert tested.returncode == 1, tested.stderr
    lines = tested.stdout.splitlines()
    assert lines[0] == f"Testing app.py for {SLUG}…"
    assert "Running 2 tests." in lines
    reported = [line.split()[1] for line in lines if line.startswith(("  PASS", "  FAIL"))]
    assert reported == VISIBLE_TESTS
    assert "  FAIL  test_hello_returns_200  0/1" in lines
    assert lines[-1] == "Score 0/3"
    # Not a terminal: no colours, no progress bar.
    assert "\x1b[" not in tested.stdout and "█" not in tested.stdout

    # The reference solution passes every test, the hidden ones too: exit status 0.
    (work / "app.py").write_text((FLASK_EXERCISE_DIR / "solution" / "app.py").read_text())
    submitted = cli.run("submit", SLUG, "app.py", cwd=work)
    assert submitted.returncode == 0, submitted.stderr
    lines = submitted.stdout.splitlines()
    passed = [line.split()[1] for line in lines if line.startswith("  PASS")]
    assert passed == VISIBLE_TESTS + HIDDEN_TESTS
    assert lines[-1] == "Score 6/6"
    # Both followed the grading over the WebSocket, not by polling.
    access_log = (tmp_path / "logs" / "daphne.log").read_text()
    assert access_log.count('"WSCONNECT /ws/submissions/') == 2
    assert '"GET /api/v1/submissions/' not in access_log

    # --json prints only the submission document, for scripts; a failure still exits 1.
    (work / "app.py").write_text(exercise_files("starter")["app.py"])
    as_json = cli.run("submit", SLUG, "--json", cwd=work)
    assert as_json.returncode == 1, as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["status"] == "completed" and document["mode"] == "submit"
    assert document["result"]["status"] == "fail"
    assert document["result"]["score"] < document["result"]["max_score"]
    assert "events" not in document

    made = Submission.objects.order_by("created_at").values_list("mode", "source", "user")
    assert list(made) == [
        ("run", "api", learner.pk),
        ("submit", "api", learner.pk),
        ("submit", "api", learner.pk),
    ]


def test_a_file_the_exercise_does_not_take_is_refused_before_anything_is_sent(
    cli: Cli, site: Site, learner_token: NewApiToken
) -> None:
    assert cli.run("login", "--url", site.base, "--token", learner_token.raw_token).returncode == 0
    (cli.home / "notes.py").write_text("x = 1\n")

    refused = cli.run("submit", SLUG, "notes.py")
    missing = cli.run("test", SLUG)

    assert refused.returncode == 2
    assert "notes.py is not a file of this exercise; it accepts: app.py" in refused.stderr
    assert missing.returncode == 2
    assert f"lectern download {SLUG}" in missing.stderr
    assert not Submission.objects.exists()


def test_a_result_names_the_place_of_a_syntax_error_once_and_keeps_its_lines() -> None:
    out = io.StringIO()  # not a terminal: plain text
    message = "Your code does not compile.\napp.py, line 2: '(' was never closed"

    Progress(out).finish(
        {
            "status": "error",
            "message": message,
            "location": {"file": "app.py", "line": 2},
            "score": 0,
            "max_score": 6,
        }
    )
    Progress(out).finish(
        {"status": "error", "message": "It crashed.", "location": {"file": "app.py", "line": 7}}
    )

    assert out.getvalue().splitlines() == [
        "Your code does not compile.",
        "app.py, line 2: '(' was never closed",
        "Score 0/6",
        "It crashed. (app.py, line 7)",
        "Score 0/0",
    ]
