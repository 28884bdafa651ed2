"""The `lectern` command as a user runs it: the installed console script in a
subprocess, with a home and config folder of its own, against Daphne on a free
port; the grading tests use the real in-process grader and Docker sandbox."""

import contextlib
import http.server
import io
import json
import os
import pty
import select
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.contrib.auth.models import User
from django.utils import timezone
from websockets.sync.server import ServerConnection
from websockets.sync.server import serve as ws_serve

from accounts.models import ApiToken
from accounts.services import SIGN_IN_ATTEMPTS_MAX, NewApiToken
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

    def environment(self) -> dict[str, str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            # A developer's own login or colour preference must not leak into the test.
            if not key.startswith("LECTERN_") and key != "NO_COLOR"
        }
        environment.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / "config"))
        return environment

    def run(
        self, *args: str, cwd: Path | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The command with `stdin` as its input; without, an empty one (never the
        terminal pytest may have been started from)."""
        return subprocess.run(
            [str(LECTERN), *args],
            cwd=cwd or self.home,
            env=self.environment(),
            input=stdin if stdin is not None else "",
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


@contextlib.contextmanager
def other_server(answers: dict[str, tuple[int, str, bytes]]) -> Iterator[str]:
    """A real HTTP server that is not Lectern: it answers "METHOD /path" with the
    status, Content-Type and body given (and 404 to anything else)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            status, content_type, body = answers.get(
                f"{self.command} {self.path}", (404, "text/plain", b"no")
            )
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


EXERCISE_JSON = json.dumps(
    {
        "slug": SLUG,
        "title": "Hello",
        "accepted_files": ["app.py"],
        "starter_files": {"app.py": ""},
        "visible_tests": {},
    }
).encode()


@pytest.mark.parametrize(
    ("command", "answers", "expected"),
    [
        (
            ["exercises"],
            {"GET /api/v1/exercises": (200, "application/json", b"[1, 2, 3]")},
            "answered GET /api/v1/exercises with something lectern does not understand: "
            "the answer[0] is a number, not an object.",
        ),
        (
            ["exercises"],
            {"GET /api/v1/exercises": (200, "application/json", b'{"exercises": []}')},
            "the answer is an object, not a list.",
        ),
        (
            ["exercises", "--json"],
            {
                "GET /api/v1/exercises": (
                    200,
                    "application/json",
                    b'[{"slug": "a", "title": "A", "max_score": "ten"}]',
                )
            },
            "the answer[0]['max_score'] is a string.",
        ),
        (
            ["exercises"],
            {"GET /api/v1/exercises": (200, "text/html", b"<html>a login page</html>")},
            "the answer is not JSON.",
        ),
        (
            ["download", SLUG],
            {f"GET /api/v1/exercises/{SLUG}": (200, "application/json", b'{"slug": "x"}')},
            "the answer has no 'title'.",
        ),
        (
            ["submit", SLUG, "app.py"],
            {
                f"GET /api/v1/exercises/{SLUG}": (200, "application/json", EXERCISE_JSON),
                "POST /api/v1/submissions": (202, "application/json", b'{"id": 7}'),
            },
            "answered POST /api/v1/submissions with something lectern does not understand: "
            "the answer['id'] is a number.",
        ),
        (
            ["login", "--token", "lct_x"],
            {"GET /api/v1/me": (200, "application/json", b'{"username": ["ada"]}')},
            "the answer['username'] is a list.",
        ),
        (
            # An error answer that is not Lectern's error document.
            ["exercises"],
            {"GET /api/v1/exercises": (500, "application/json", b'{"error": [1]}')},
            "answered HTTP 500 and does not look like a Lectern site;",
        ),
    ],
)
def test_an_answer_lectern_does_not_understand_is_one_line_and_exit_status_2(
    cli: Cli, command: list[str], answers: dict[str, tuple[int, str, bytes]], expected: str
) -> None:
    (cli.home / "app.py").write_text("app = None\n")
    with other_server(answers) as url:
        if command[0] == "login":
            command = [*command, "--url", url]
        else:
            cli.config_file.parent.mkdir(parents=True)
            cli.config_file.write_text(json.dumps({"url": url, "token": "lct_x"}))
        finished = cli.run(*command)

    # Not 1: a CI job would read that as "the tests failed".
    assert finished.returncode == 2
    assert finished.stderr.startswith(f"lectern: {url}")
    assert expected in finished.stderr
    assert finished.stderr.count("\n") == 1, finished.stderr
    assert "Traceback" not in finished.stdout


def test_output_into_a_closed_pipe_ends_quietly_as_a_unix_tool_does(
    cli: Cli, site: Site, learner_token: NewApiToken
) -> None:
    assert cli.run("login", "--url", site.base, "--token", learner_token.raw_token).returncode == 0

    for command in (["exercises"], ["exercises", "--json"]):
        reader, writer = os.pipe()
        os.close(reader)  # whoever was to read it has gone, as `| true` or `| head -1` does
        try:
            finished = subprocess.run(
                [str(LECTERN), *command],
                cwd=cli.home,
                env=cli.environment(),
                stdin=subprocess.DEVNULL,
                stdout=writer,
                stderr=subprocess.PIPE,
                timeout=60,
            )
        finally:
            os.close(writer)
        # 128 + SIGPIPE, what a tool killed by the closed pipe exits with; no traceback.
        assert finished.returncode == 141, (command, finished.stderr)
        assert finished.stderr == b"", (command, finished.stderr)


def test_the_submission_is_named_at_once_so_a_timeout_or_ctrl_c_can_find_it_again(
    cli: Cli, site: Site, learner_token: NewApiToken
) -> None:
    # `site` grades nothing: every submission waits in the queue.
    assert cli.run("login", "--url", site.base, "--token", learner_token.raw_token).returncode == 0
    (cli.home / "app.py").write_text(exercise_files("starter")["app.py"])

    waited = cli.run("submit", SLUG, "app.py", "--timeout", "1.5")

    assert waited.returncode == 2
    first = Submission.objects.get()
    url = f"{site.base}/api/v1/submissions/{first.id}"
    assert waited.stderr.splitlines() == [
        f"Submission {first.id}: {url}",
        f"lectern: no result within the time limit. Submission {first.id} goes on being "
        f"graded; see it later at {url}",
    ]

    # A script gets the id and the URLs in JSON on stdout as well.
    as_json = cli.run("submit", SLUG, "--json", "--timeout", "1")
    assert as_json.returncode == 2
    second = Submission.objects.exclude(pk=first.pk).get()
    document = json.loads(as_json.stdout)
    assert document["id"] == str(second.id)
    assert document["urls"]["self"] == f"{site.base}/api/v1/submissions/{second.id}"
    assert f"Submission {second.id}: " in as_json.stderr

    # Ctrl-C while it waits: the same, as soon as it is accepted.
    running = subprocess.Popen(
        [str(LECTERN), "submit", SLUG, "app.py"],
        cwd=cli.home,
        env=cli.environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert running.stderr is not None
        accepted = running.stderr.readline()
        running.send_signal(signal.SIGINT)
        _, rest = running.communicate(timeout=30)
    finally:
        running.kill()
    third = Submission.objects.exclude(pk__in=[first.pk, second.pk]).get()
    url = f"{site.base}/api/v1/submissions/{third.id}"
    assert accepted == f"Submission {third.id}: {url}\n"
    assert running.returncode == 2
    assert rest == (
        f"lectern: interrupted. Submission {third.id} goes on being graded; see it later at {url}\n"
    )


def test_ctrl_c_at_a_terminal_asks_and_cancels_the_submission(
    cli: Cli, site: Site, learner_token: NewApiToken
) -> None:
    # `site` grades nothing: the submission waits in the queue until cancelled.
    # Ctrl-C once the command waits for it ("Queued…"): Python drops a Ctrl-C that
    # lands inside an import's clean-up, and the command imports as it starts.
    assert cli.run("login", "--url", site.base, "--token", learner_token.raw_token).returncode == 0
    (cli.home / "app.py").write_text(exercise_files("starter")["app.py"])

    kept_status, kept = run_in_terminal(
        cli, "submit", SLUG, "app.py", replies=[("Queued", "\x03"), ("[y/N] ", "\n")]
    )
    first = Submission.objects.get()
    assert kept_status == 2, kept
    assert "goes on being graded" in kept
    assert first.status == Submission.Status.QUEUED

    status, shown = run_in_terminal(
        cli, "submit", SLUG, "app.py", replies=[("Queued", "\x03"), ("[y/N] ", "y\n")]
    )

    second = Submission.objects.exclude(pk=first.pk).get()
    assert status == 2, shown
    assert f"Cancel submission {second.id}? [y/N]" in shown
    assert (
        f"lectern: cancelled. Submission {second.id} is withdrawn: it is not an attempt." in shown
    )
    second.refresh_from_db()
    assert second.status == Submission.Status.CANCELLED


def test_a_bad_option_value_is_refused_before_anything_is_sent(
    cli: Cli, site: Site, learner_token: NewApiToken
) -> None:
    assert cli.run("login", "--url", site.base, "--token", learner_token.raw_token).returncode == 0
    (cli.home / "app.py").write_text(exercise_files("starter")["app.py"])

    for value in ("0", "-5", "nan", "inf", "soon"):
        for command in ("submit", "test"):
            refused = cli.run(command, SLUG, "app.py", "--timeout", value)
            assert refused.returncode == 2, (value, refused.stderr)
            assert refused.stderr.startswith(f"lectern {command}: argument --timeout: ")
            assert refused.stderr.count("\n") == 1, refused.stderr
    expiry = cli.run("login", "--url", site.base, "--username", "learner", "--expires", "0")
    assert expiry.returncode == 2
    assert "argument --expires: 0 is not a positive number of days" in expiry.stderr

    assert not Submission.objects.exists()
    assert ApiToken.objects.count() == 1  # the fixture's


def test_login_takes_the_api_url_as_well(cli: Cli, site: Site, learner_token: NewApiToken) -> None:
    for url in (f"{site.base}/api/v1", f"{site.base}/api/v1/"):
        logged_in = cli.run("login", "--url", url, "--token", learner_token.raw_token)
        assert logged_in.returncode == 0, logged_in.stderr
        assert f"Logged in to {site.base} as learner" in logged_in.stdout
        assert json.loads(cli.config_file.read_text())["url"] == site.base
        assert cli.run("exercises").returncode == 0


def run_in_terminal(
    cli: Cli, *args: str, replies: list[tuple[str, str]], timeout: float = 60
) -> tuple[int, str]:
    """The command in a new pseudo-terminal (its controlling terminal, as in a
    shell), typing each reply once its prompt has appeared (as typed: "\n" is
    Enter, "\x03" Ctrl-C); its exit status and everything the terminal showed."""
    environment = cli.environment()
    pid, terminal = pty.fork()
    if pid == 0:  # the child: only exec, nothing else of this process
        try:
            os.chdir(cli.home)
            os.execve(str(LECTERN), [str(LECTERN), *args], environment)  # noqa: S606
        finally:
            os._exit(127)
    shown, searched_to = b"", 0
    pending = list(replies)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if pending:
                at = shown.find(pending[0][0].encode(), searched_to)
                if at >= 0:
                    searched_to = at + len(pending[0][0])
                    os.write(terminal, pending.pop(0)[1].encode())
            ready, _, _ = select.select([terminal], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"no answer in time; the terminal showed {shown!r}")
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # EIO: the command has exited and the terminal is closed
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(terminal)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def server_password(user: User) -> str:
    """Give `user` a password hashed as the server hashes them: the test settings'
    fast MD5 hasher is not one the server's settings know."""
    password = "a-password-for-the-server-7"
    user.password = make_password(password, hasher=PBKDF2PasswordHasher())
    user.save(update_fields=["password"])
    return password


def test_login_in_a_terminal_asks_for_username_and_password_and_keeps_only_a_token(
    cli: Cli, site: Site, learner: User, tmp_path: Path
) -> None:
    password = server_password(learner)

    status, shown = run_in_terminal(
        cli,
        "login",
        "--url",
        site.base,
        replies=[("Username: ", "learner\n"), ("Password: ", password + "\n")],
    )

    assert status == 0, shown
    name = socket.gethostname()
    assert f"Logged in to {site.base} as learner (token “{name}”)." in shown
    assert "learner" in shown  # the username is echoed as typed
    assert password not in shown  # the password is not
    token = ApiToken.objects.get(user=learner)
    assert token.name == name
    saved = json.loads(cli.config_file.read_text())
    assert set(saved) == {"url", "token"} and saved["url"] == site.base
    assert saved["token"].startswith(token.prefix)
    assert stat.S_IMODE(cli.config_file.stat().st_mode) == 0o600
    assert cli.run("exercises").returncode == 0
    assert password not in (tmp_path / "logs" / "daphne.log").read_text()

    # A username given: only the password is asked for.
    status, shown = run_in_terminal(
        cli,
        "login",
        "--url",
        site.base,
        "--username",
        "learner",
        "--name",
        "second",
        replies=[("Password: ", "not-it\n")],
    )
    assert status == 2, shown
    assert "Username:" not in shown
    assert "lectern: the server refused the username or password" in shown
    assert ApiToken.objects.filter(user=learner).count() == 1


def test_login_in_a_script_reads_the_password_from_stdin(
    cli: Cli, site: Site, learner: User, tmp_path: Path
) -> None:
    password = server_password(learner)

    unasked = cli.run("login", "--url", site.base)
    assert unasked.returncode == 2
    assert "give --token TOKEN, or --username NAME with the password on stdin" in unasked.stderr

    wrong = cli.run("login", "--url", site.base, "--username", "learner", stdin="guess\n")
    assert wrong.returncode == 2
    assert wrong.stderr == (
        "lectern: the server refused the username or password; check them (a forgotten "
        f"password is reset at {site.base}/accounts/password_reset/).\n"
    )
    assert not cli.config_file.exists()

    logged_in = cli.run(
        "login",
        "--url",
        site.base,
        "--username",
        "learner",
        "--name",
        "ci",
        "--expires",
        "7",
        stdin=password + "\n",
    )
    assert logged_in.returncode == 0, logged_in.stderr
    assert f"Logged in to {site.base} as learner (token “ci”)." in logged_in.stdout
    token = ApiToken.objects.get(user=learner, name="ci")
    assert token.expires_at is not None
    assert token.expires_at - timezone.now() <= timedelta(days=7)
    assert password not in cli.config_file.read_text()
    assert cli.run("exercises").returncode == 0

    # Past the sign-in limit the server says when to try again.
    for _ in range(SIGN_IN_ATTEMPTS_MAX):
        cli.run("login", "--url", site.base, "--username", "learner", stdin="guess\n")
    limited = cli.run("login", "--url", site.base, "--username", "learner", stdin=password)
    assert limited.returncode == 2
    assert "Too many sign-in attempts for this username; try again in" in limited.stderr
    assert password not in (tmp_path / "logs" / "daphne.log").read_text()


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({"type": "completed", "data": {}}, "an event['data'] has no 'result'"),
        ({"type": "test", "seq": 2, "data": {"points": "all"}}, "['points'] is a string"),
        ([1, 2], "an event is a list, not an object"),
    ],
)
def test_an_event_lectern_does_not_understand_is_one_line_and_exit_status_2(
    cli: Cli, event: object, problem: str
) -> None:
    def send_it(connection: ServerConnection) -> None:
        connection.send(json.dumps(event))

    (cli.home / "app.py").write_text("app = None\n")
    with ws_serve(send_it, "127.0.0.1", 0) as events:
        threading.Thread(target=events.serve_forever, daemon=True).start()
        ws_url = f"ws://127.0.0.1:{events.socket.getsockname()[1]}/ws/submissions/7/"
        accepted = {"id": "7", "status": "queued", "urls": {"self": "/x", "websocket": ws_url}}
        answers = {
            f"GET /api/v1/exercises/{SLUG}": (200, "application/json", EXERCISE_JSON),
            "POST /api/v1/submissions": (202, "application/json", json.dumps(accepted).encode()),
        }
        with other_server(answers) as url:
            cli.config_file.parent.mkdir(parents=True)
            cli.config_file.write_text(json.dumps({"url": url, "token": "lct_x"}))
            finished = cli.run("submit", SLUG, "app.py", "--timeout", "20")
        events.shutdown()

    assert finished.returncode == 2
    lines = finished.stderr.splitlines()
    assert lines[0] == "Submission 7: /x"
    assert lines[1].startswith(f"lectern: {ws_url} sent an event lectern does not understand: ")
    assert problem in lines[1] and "Submission 7 goes on being graded" in lines[1]
    assert len(lines) == 2 and "Traceback" not in finished.stdout
