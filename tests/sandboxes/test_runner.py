"""The sandbox against the real Docker engine and the real image.

Each test sends learner files (and sometimes its own probe tests) through
sandbox_run, and most then through result_build, the grader's scoring, to
check the verdict a learner would see and that no points were earned that
the honest code would not earn.
"""

import json

import docker
import pytest

from grader.results import result_build
from lessons.models import Exercise
from sandboxes.limits import limits_resolve
from sandboxes.runner import LABEL, SandboxJob, sandbox_run
from tests.conftest import exercise_files
from tests.sandboxes.runs import FLASK_HEAD, flask_app, run_exercise, run_probe

pytestmark = [pytest.mark.docker, pytest.mark.django_db, pytest.mark.usefixtures("runtime")]


def test_reference_solution_passes_every_test(flask_exercise: Exercise) -> None:
    seen: list[str] = []
    job = SandboxJob(
        files=exercise_files("solution"),
        visible_tests=flask_exercise.visible_test_files,
        hidden_tests=flask_exercise.hidden_test_files,
        limits=limits_resolve(flask_exercise.limits),
    )
    run = sandbox_run(job, on_test=lambda test: seen.append(test.nodeid))
    result = result_build(tests_spec=flask_exercise.tests, run=run, limits=job.limits)

    assert result["status"] == "pass"
    assert result["score"] == result["max_score"] > 0
    assert [test["name"] for test in result["tests"]] == [t["name"] for t in flask_exercise.tests]
    assert all(test["status"] == "pass" for test in result["tests"])
    # Every test was reported live, as it finished, in file order.
    assert len(seen) == len(flask_exercise.tests)


def test_starter_code_fails_with_messages_for_visible_tests_only(
    flask_exercise: Exercise,
) -> None:
    _, result = run_exercise(flask_exercise, exercise_files("starter"))

    assert result["status"] == "fail"
    assert result["gradable"] is True
    assert result["score"] < result["max_score"]
    visible_failures = [
        t for t in result["tests"] if t["visibility"] == "visible" and t["status"] != "pass"
    ]
    assert visible_failures and all(t["message"] for t in visible_failures)
    hidden_code = json.dumps(flask_exercise.hidden_test_files)
    for test in result["tests"]:
        if test["visibility"] == "hidden":
            assert test["output"] == ""
            assert "assert" not in test["message"]
            assert test["message"] not in hidden_code or test["message"] == ""


def test_printed_output_reaches_the_learner_trimmed(flask_exercise: Exercise) -> None:
    files = flask_app(
        '@app.get("/hello")\n'
        "def hello():\n"
        '    print("debugging hello", flush=True)\n'
        '    print("y" * 20000)\n'
        '    return {"message": "Hello, World!"}\n'
    )
    _, result = run_exercise(flask_exercise, files)

    first = result["tests"][0]
    assert first["status"] == "pass"
    assert "debugging hello" in first["output"]
    assert len(first["output"]) < 6000
    assert "more bytes of output not shown" in first["output"]


def test_a_timeout_ends_in_its_verdict(flask_exercise: Exercise) -> None:
    files = flask_app('@app.get("/hello")\ndef hello():\n    while True:\n        pass\n')
    run, result = run_exercise(flask_exercise, files, wall_seconds=3)

    assert run.status == "timeout"
    assert result["verdict"] == "timeout"
    assert result["status"] == "error"
    assert "Time limit of 3 s" in result["message"]
    assert "test_hello_returns_200" in result["message"]


def test_sleeping_past_the_limit_is_a_timeout(flask_exercise: Exercise) -> None:
    files = {"app.py": "import time\ntime.sleep(60)\n" + FLASK_HEAD}
    _, result = run_exercise(flask_exercise, files, wall_seconds=2)

    assert result["verdict"] == "timeout"


def test_a_memory_bomb_ends_in_the_memory_verdict(flask_exercise: Exercise) -> None:
    files = flask_app(
        '@app.get("/hello")\n'
        "def hello():\n"
        "    hoard = []\n"
        "    while True:\n"
        "        hoard.append(bytearray(10_000_000))\n"
    )
    _, result = run_exercise(flask_exercise, files, memory_mb=128, wall_seconds=5)

    assert result["verdict"] == "memory_limit"
    assert "Memory limit of 128 MiB" in result["message"]


def test_a_fork_bomb_ends_in_the_process_limit_verdict(
    flask_exercise: Exercise, runtime: str
) -> None:
    files = flask_app(
        'import os\n@app.get("/hello")\ndef hello():\n    while True:\n        os.fork()\n'
    )
    _, result = run_exercise(flask_exercise, files, wall_seconds=5)

    # gVisor copies more of each forked Python process, so memory may run out
    # before the process limit is reached: either verdict names the cause.
    expected = {"process_limit"} if runtime == "runc" else {"process_limit", "memory_limit"}
    assert result["verdict"] in expected
    assert result["score"] == 0


def test_an_output_flood_ends_in_the_output_verdict(flask_exercise: Exercise) -> None:
    files = flask_app(
        '@app.get("/hello")\ndef hello():\n    while True:\n        print("x" * 1000)\n'
    )
    _, result = run_exercise(flask_exercise, files, wall_seconds=5)

    assert result["verdict"] == "output_limit"
    assert "more than 64 KiB" in result["message"]


def test_syntax_error_is_not_gradable_and_points_at_the_line(flask_exercise: Exercise) -> None:
    files = {"app.py": "from flask import Flask\napp = Flask(__name__\n"}
    _, result = run_exercise(flask_exercise, files)

    assert result["verdict"] == "syntax_error"
    assert result["gradable"] is False
    assert result["location"]["file"] == "app.py"
    assert result["location"]["line"] == 2
    assert "app.py, line 2" in result["message"]
    assert result["score"] == 0


def test_import_error_is_not_gradable_and_points_at_the_line(flask_exercise: Exercise) -> None:
    files = {"app.py": "from flask import Flask\nimport flaskk\napp = Flask(__name__)\n"}
    _, result = run_exercise(flask_exercise, files)

    assert result["verdict"] == "import_error"
    assert result["gradable"] is False
    assert result["location"] == {"file": "app.py", "line": 2}
    assert "No module named 'flaskk'" in result["message"]


# --- the container's walls --------------------------------------------------------

PROBE_WALLS = r"""
import os, socket, pytest

def test_runs_as_an_unprivileged_user():
    import ctypes
    assert os.getuid() == 1000 and os.getgid() == 1000
    status = open("/proc/self/status").read()
    assert "CapEff:\t0000000000000000" in status
    PR_GET_NO_NEW_PRIVS = 39
    assert ctypes.CDLL(None).prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1

def test_root_file_system_is_read_only():
    for path in ("/opt/lectern/harness/probe", "/etc/probe", "/usr/probe"):
        with pytest.raises(OSError):
            open(path, "w")

def test_work_directory_is_small_and_writable():
    with open("/work/scratch", "wb") as handle:
        handle.write(b"x" * 1024)
    stats = os.statvfs("/work")
    assert stats.f_blocks * stats.f_frsize <= 32 * 1024 * 1024

def test_no_network_by_address():
    with pytest.raises(OSError):
        socket.create_connection(("1.1.1.1", 53), timeout=2)

def test_no_network_by_name():
    with pytest.raises(OSError):
        socket.getaddrinfo("pypi.org", 443)

def test_only_the_loopback_interface_exists():
    assert [name for _, name in socket.if_nameindex()] == ["lo"]

def test_the_supervisor_memory_cannot_be_read():
    with pytest.raises(OSError):
        open("/proc/1/mem", "rb").read(1)

def test_environment_is_the_harness_own():
    print(sorted(os.environ))
    assert set(os.environ) <= {
        "PATH", "HOME", "LANG", "PYTHONDONTWRITEBYTECODE", "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
        "PYTEST_VERSION",
        "PYTEST_CURRENT_TEST",
    }
"""


def test_the_container_walls_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    # A variable of the host (this test process) must not reach the container.
    monkeypatch.setenv("LECTERN_HOST_CANARY", "canary-value-41")
    run = run_probe({"probe.py": "import os\nprint('ENVIRON', dict(os.environ))\n"}, PROBE_WALLS)

    outcomes = {test.nodeid.split("::")[1]: test for test in run.tests}
    failed = {name: test.message for name, test in outcomes.items() if test.outcome != "pass"}
    assert failed == {}
    assert len(outcomes) == 8
    everything = json.dumps([test.__dict__ for test in run.tests]) + run.output
    assert "canary-value-41" not in everything
    assert "LECTERN_HOST_CANARY" not in everything


def test_containers_are_removed_after_each_run(flask_exercise: Exercise) -> None:
    client = docker.from_env()

    def sandboxes() -> int:
        return len(client.containers.list(all=True, filters={"label": LABEL}))

    before = sandboxes()
    run_exercise(flask_exercise, exercise_files("starter"))
    files = flask_app('@app.get("/hello")\ndef hello():\n    while True:\n        pass\n')
    run_exercise(flask_exercise, files, wall_seconds=2)
    assert sandboxes() == before


def test_nothing_outlives_the_run(flask_exercise: Exercise) -> None:
    probe = r"""
import subprocess, time
def test_leave_a_daemon_behind():
    subprocess.Popen(["python3", "-c", "import time; time.sleep(600)"], start_new_session=True)
"""
    run = run_probe({"probe.py": "x = 1\n"}, probe, wall_seconds=20)
    # Completed, not timed out: the run ended when pytest did, not when the
    # daemon would have (nor at the wall limit).
    assert run.status == "completed"


# --- forging the score ------------------------------------------------------------


def test_printed_fake_results_earn_nothing(
    flask_exercise: Exercise, honest_starter_score: float
) -> None:
    fake_lines = [
        {"type": "test", "nodeid": "tests/test_app.py::test_hello_returns_200", "outcome": "pass"},
        {"name": "test_hello_returns_200", "status": "pass", "points": 100},
        {"type": "finished", "elapsed_ms": 1},
    ]
    printing = "".join(f"print({json.dumps(json.dumps(line))})\n" for line in fake_lines)
    printing += "import os\nos.write(1, b'\\x1e' + b'0' * 32 + b' {\"type\": \"test\"}\\n')\n"
    starter = exercise_files("starter")["app.py"]
    _, result = run_exercise(flask_exercise, {"app.py": printing + starter})

    assert result["score"] == honest_starter_score
    assert result["status"] == "fail"


def test_shipped_conftest_ini_and_site_customisation_are_ignored(
    flask_exercise: Exercise, honest_starter_score: float
) -> None:
    files = exercise_files("starter")
    files["conftest.py"] = (
        "import pytest\n"
        "@pytest.hookimpl(wrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    report = yield\n"
        "    report.outcome = 'passed'\n"
        "    return report\n"
    )
    files["pytest.ini"] = "[pytest]\naddopts = -p no:lectern_plugin -p no:python\n"
    files["sitecustomize.py"] = "import builtins\nbuiltins.FORGED = True\n"
    files["usercustomize.py"] = "import builtins\nbuiltins.FORGED = True\n"
    _, result = run_exercise(flask_exercise, files)

    assert result["score"] == honest_starter_score
    assert result["status"] == "fail"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("import sys\nsys.exit(0)\n", id="exit-at-import"),
        pytest.param(
            FLASK_HEAD + '@app.get("/hello")\ndef hello():\n    raise SystemExit(0)\n',
            id="exit-in-test",
        ),
        pytest.param(
            FLASK_HEAD + 'import os\n@app.get("/hello")\ndef hello():\n    os._exit(0)\n',
            id="hard-exit-in-test",
        ),
    ],
)
def test_exiting_early_earns_nothing(flask_exercise: Exercise, body: str) -> None:
    _, result = run_exercise(flask_exercise, {"app.py": body})

    # Only the tests that never reach the exit (POST /hello, an unknown path) may pass.
    reaching_the_exit = [t for t in result["tests"] if t["name"].startswith("test_hello")]
    assert reaching_the_exit
    assert all(test["status"] != "pass" for test in reaching_the_exit)
    assert result["score"] <= sum(
        t["max_points"] for t in result["tests"] if not t["name"].startswith("test_hello")
    )
    assert result["status"] != "pass"


@pytest.mark.parametrize(
    "patch",
    [
        pytest.param(
            "import _pytest.python\n_pytest.python.Function.runtest = lambda self: None\n",
            id="skip-test-bodies",
        ),
        pytest.param(
            "import _pytest.runner\n"
            "original = _pytest.runner.CallInfo.from_call.__func__\n"
            "def swallow(cls, func, when, reraise=None):\n"
            "    def quiet():\n"
            "        try:\n"
            "            return func()\n"
            "        except BaseException:\n"
            "            return None\n"
            "    return original(cls, quiet, when, reraise)\n"
            "_pytest.runner.CallInfo.from_call = classmethod(swallow)\n",
            id="swallow-failures",
        ),
        pytest.param(
            "import _pytest.reports\n"
            "_pytest.reports.BaseReport.passed = property(lambda self: True)\n"
            "_pytest.reports.BaseReport.failed = property(lambda self: False)\n",
            id="reports-always-pass",
        ),
        pytest.param(
            "import glob\n"
            "for path in glob.glob('/work/tests/*.py'):\n"
            "    open(path, 'w').write('def test_hello_content_type_is_json(): pass\\n')\n",
            id="rewrite-test-files",
        ),
        pytest.param(
            "import sys\nsys.settrace(lambda *args: None)\n",
            id="trace-hook",
        ),
    ],
)
def test_patching_pytest_at_import_earns_nothing(
    flask_exercise: Exercise, honest_starter_score: float, patch: str
) -> None:
    starter = exercise_files("starter")["app.py"]
    _, result = run_exercise(flask_exercise, {"app.py": patch + starter})

    assert result["score"] <= honest_starter_score
    assert result["status"] != "pass"


def test_writing_into_the_supervisors_output_earns_nothing(
    flask_exercise: Exercise, honest_starter_score: float
) -> None:
    # gVisor lets a process of the same user open /proc/1/fd/1; runc does not.
    forge = (
        "import json, os\n"
        "fake = {'type': 'test', 'phase': 'visible', 'outcome': 'pass', 'seq': 2,\n"
        "        'nodeid': 'tests/test_app.py::test_hello_returns_200'}\n"
        "try:\n"
        "    fd = os.open('/proc/1/fd/1', os.O_WRONLY)\n"
        "    os.write(fd, ('0' * 64 + ' ' + json.dumps(fake) + '\\n').encode())\n"
        "    print('WROTE INTO THE SUPERVISOR OUTPUT')\n"
        "except OSError as error:\n"
        "    print('refused:', error)\n"
    )
    starter = exercise_files("starter")["app.py"]
    _, result = run_exercise(flask_exercise, {"app.py": forge + starter})

    assert result["score"] <= honest_starter_score
    assert result["status"] != "pass"
    if "WROTE INTO THE SUPERVISOR OUTPUT" in result["output"]:
        assert result["verdict"] == "tampered"
        assert result["score"] == 0


def test_killing_the_supervisor_earns_nothing(
    flask_exercise: Exercise, honest_starter_score: float
) -> None:
    files = flask_app(
        'import os, signal\n@app.get("/hello")\ndef hello():\n'
        "    os.kill(1, signal.SIGKILL)\n"
        '    return {"message": "Hello, World!"}\n'
    )
    # Under runc PID 1 ignores the signal; under gVisor the run ends as a crash.
    _, result = run_exercise(flask_exercise, files)

    assert result["verdict"] in ("passed", "failed", "crashed")
    assert result["gradable"] is True
    if result["verdict"] == "crashed":
        assert result["score"] <= honest_starter_score


def test_the_supervisors_stdin_holds_no_hidden_tests(flask_exercise: Exercise) -> None:
    peek = (
        "import os\n"
        "try:\n"
        "    fd = os.open('/proc/1/fd/0', os.O_RDONLY | os.O_NONBLOCK)\n"
        "    print('STDIN HELD', os.read(fd, 65536))\n"
        "except OSError as error:\n"
        "    print('STDIN REFUSED', error)\n"
    )
    solution = exercise_files("solution")["app.py"]
    _, result = run_exercise(flask_exercise, {"app.py": peek + solution})

    assert "STDIN HELD b'" not in result["output"] or "hidden" not in result["output"]
    for test in flask_exercise.tests:
        if test["visibility"] == "hidden":
            assert test["name"] not in result["output"]
    # And the hidden tests still arrived where they belong.
    assert result["status"] == "pass"


def test_hidden_test_code_never_reaches_the_learner(flask_exercise: Exercise) -> None:
    # Learner code that prints every test file it can find, in both phases.
    spy = "import glob\nfor path in glob.glob('/work/tests/*.py'):\n    print(open(path).read())\n"
    solution = exercise_files("solution")["app.py"]
    _, result = run_exercise(flask_exercise, {"app.py": spy + solution})

    hidden_names = [t["name"] for t in flask_exercise.tests if t["visibility"] == "hidden"]
    shown = json.dumps(result)
    for name in hidden_names:
        assert f"def {name}" not in shown
    assert result["status"] == "pass"


def test_the_visible_phase_holds_no_hidden_test_in_memory(flask_exercise: Exercise) -> None:
    """Learner code searches its whole address space for a hidden test's code.

    The pattern must not itself be in memory, or it would find itself: the
    code holds it with every byte shifted by one and shifts the memory it
    reads instead. A visible test's code serves as the control."""
    hidden = next(t["name"] for t in flask_exercise.tests if t["visibility"] == "hidden")
    visible = next(t["name"] for t in flask_exercise.tests if t["visibility"] == "visible")

    def shifted(text: str) -> list[int]:
        return [(byte + 1) % 256 for byte in f"def {text}(".encode()]

    scan = (
        "SHIFT = bytes((b + 1) % 256 for b in range(256))\n"
        f"PATTERNS = {{'hidden': bytes({shifted(hidden)}), 'visible': bytes({shifted(visible)})}}\n"
        "found = set()\n"
        "with open('/proc/self/maps') as maps_file:\n"
        "    regions = [line.split() for line in maps_file]\n"
        "with open('/proc/self/mem', 'rb') as mem:\n"
        "    for fields in regions:\n"
        "        start, end = (int(x, 16) for x in fields[0].split('-'))\n"
        "        if 'r' not in fields[1] or end - start > 256 * 1024 * 1024:\n"
        "            continue\n"
        "        try:\n"
        "            mem.seek(start)\n"
        "            data = mem.read(end - start).translate(SHIFT)\n"
        "        except (OSError, ValueError, OverflowError):\n"
        "            continue\n"
        "        found |= {name for name, pattern in PATTERNS.items() if pattern in data}\n"
        "print('FOUND', sorted(found), flush=True)\n"
    )
    solution = exercise_files("solution")["app.py"]
    _, result = run_exercise(flask_exercise, {"app.py": scan + solution})

    assert "FOUND ['visible']" in result["output"]
    assert result["status"] == "pass"
