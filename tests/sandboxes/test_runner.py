"""The sandbox against the real Docker engine and the real image.

Each test sends learner files through sandbox_run, and most then through
result_build, the grader's scoring, to check the verdict a learner would see
and that no points were earned that the honest code would not earn. What
looks at the sandbox from inside is learner code (runs.run_probe): that is
where learner code runs, and the test runner is out of its reach.
"""

import json
import secrets

import docker
import pytest

from grader.results import nodeid_test_name, result_build
from lessons.models import Exercise
from sandboxes import runner
from sandboxes.harness import HarnessMode
from sandboxes.limits import limits_resolve
from sandboxes.runner import LABEL, SandboxJob, sandbox_run
from tests.conftest import exercise_files
from tests.sandboxes.runs import (
    FLASK_HEAD,
    UID_OF_SOURCE,
    flask_app,
    marker,
    printed,
    probe_failures,
    run_exercise,
    run_job,
    run_probe,
    variable_is_harmless,
)

pytestmark = [pytest.mark.docker, pytest.mark.django_db, pytest.mark.usefixtures("runtime")]


def test_reference_solution_passes_every_test(flask_exercise: Exercise) -> None:
    seen: list[str] = []
    job = SandboxJob(
        files=exercise_files("solution"),
        visible_tests=flask_exercise.visible_test_files,
        hidden_tests=flask_exercise.hidden_test_files,
        limits=limits_resolve(flask_exercise.limits),
        harness=HarnessMode.from_dict(flask_exercise.harness),
    )
    run = sandbox_run(job, on_test=lambda test: seen.append(test.nodeid))
    result = result_build(tests_spec=flask_exercise.tests, run=run, limits=job.limits)

    assert result["status"] == "pass"
    assert result["score"] == result["max_score"] > 0
    assert [test["name"] for test in result["tests"]] == [t["name"] for t in flask_exercise.tests]
    assert all(test["status"] == "pass" for test in result["tests"])
    # Every test was reported live, as it finished, in file order.
    assert [nodeid_test_name(nodeid) for nodeid in seen] == [
        t["name"] for t in flask_exercise.tests
    ]


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
    # A visible test shows the HTTP exchanges it made, as the app answered them.
    first = visible_failures[0]
    assert [(e["method"], e["path"], e["status"]) for e in first["exchanges"]] == [
        ("GET", "/hello", 404)
    ]
    hidden_code = json.dumps(flask_exercise.hidden_test_files)
    for test in result["tests"]:
        if test["visibility"] == "hidden":
            assert test["output"] == ""
            assert test["exchanges"] == []
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


def test_what_each_test_made_the_learner_print_is_shown_with_that_test() -> None:
    """Output is attributed by time: what the learner's code printed between a
    test's start and its end belongs to that test, also when the harness reads
    the start of the test and the output at the same moment."""
    tests = "from probe import shout\n" + "".join(
        f"\ndef test_{n}():\n    assert shout({n}) == {n}\n" for n in range(20)
    )
    run = run_probe("def shout(n):\n    print('SHOUT', n, flush=True)\n    return n\n", tests)

    assert probe_failures(run) == {}
    assert {test.nodeid.split("::")[-1]: test.output for test in run.tests} == {
        f"test_{n}": f"SHOUT {n}\n" for n in range(20)
    }
    assert run.output == ""


def test_a_view_error_reaches_the_learner_with_its_file_and_line(
    flask_exercise: Exercise,
) -> None:
    files = flask_app('@app.get("/hello")\ndef hello():\n    return {"message": greeting}\n')
    _, result = run_exercise(flask_exercise, files)

    tests = {test["name"]: test for test in result["tests"]}
    for name in ("test_hello_returns_200", "test_hello_content_type_is_json"):  # visible, hidden
        message = tests[name]["message"]
        assert "NameError: name 'greeting' is not defined" in message
        assert 'File "app.py", line 5, in hello' in message
    assert result["score"] == 2  # POST /hello and the unknown path never reach the view


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


def test_a_run_that_goes_on_yields_cpu_to_newer_ones(runtime: str) -> None:
    # The weight the container's cgroup shows when the job starts, and once it
    # changes (or the probe gives up, well inside the wall limit). gVisor shows
    # a cgroup of its own, which does not change: there the run must just
    # outlast the yield and complete.
    give_up = 15 if runtime == "runc" else 2 * runner.YIELD_AFTER_SECONDS
    run = run_probe(
        "import time\n"
        "def cpu_weights():\n"
        "    def weight():\n"
        "        for path in ('/sys/fs/cgroup/cpu/cpu.shares', '/sys/fs/cgroup/cpu.weight'):\n"
        "            try:\n"
        "                return open(path).read().strip()\n"
        "            except OSError:\n"
        "                pass\n"
        "        return 'unreadable'\n"
        "    first = weight()\n"
        f"    give_up = time.monotonic() + {give_up}\n"
        "    while weight() == first and time.monotonic() < give_up:\n"
        "        time.sleep(0.05)\n"
        "    print('WEIGHTS', [first, weight()])\n",
        "from probe import cpu_weights\ndef test_weights():\n    cpu_weights()\n",
        wall_seconds=20,
    )

    assert probe_failures(run) == {} and run.status == "completed", run
    if runtime == "runc":
        # cgroup v1 shares; v2 shows the same as weight 100 and then 10.
        seen = run.tests[0].output
        assert (
            f"WEIGHTS ['1024', '{runner.YIELDED_CPU_SHARES}']" in seen
            or "WEIGHTS ['100', '10']" in seen
        ), seen


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


def test_a_fork_bomb_ends_in_the_process_limit_verdict(flask_exercise: Exercise) -> None:
    files = flask_app(
        'import os\n@app.get("/hello")\ndef hello():\n    while True:\n        os.fork()\n'
    )
    _, result = run_exercise(flask_exercise, files, wall_seconds=5)

    # Each forked copy of a Flask process touches pages of its own (gVisor's
    # copies more), so memory may run out before the process limit is reached:
    # either verdict names the cause.
    assert result["verdict"] in {"process_limit", "memory_limit"}, result["message"]
    assert result["score"] == 0


def test_a_fork_bomb_that_also_floods_the_output_is_named_for_its_forks(
    flask_exercise: Exercise,
) -> None:
    # Each failed fork of a view prints a traceback; with enough of them the output
    # budget runs out too, and the verdict must still name the cause, not the output.
    files = flask_app(
        "import os\n"
        '@app.get("/hello")\n'
        "def hello():\n"
        "    while True:\n"
        "        try:\n"
        "            os.fork()\n"
        "        except OSError:\n"
        '            print("x" * 100_000)\n'
    )
    _, result = run_exercise(flask_exercise, files, wall_seconds=5)

    assert result["verdict"] in {"process_limit", "memory_limit"}
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


# Waits, at import, until one of the sockets the learner process holds is
# readable: the one the app would be served on, once the first test's request
# is waiting there. Then it prints, and fails.
SLOW_START = r"""
import json, os, select, socket

def first_request_waiting():
    sockets = []
    # The descriptors open now: the dups made below must not be counted again.
    for fd in sorted(int(name) for name in os.listdir("/proc/self/fd")):
        if fd < 3:
            continue
        try:
            sockets.append(socket.socket(fileno=os.dup(fd)))
        except OSError:
            pass
    ready = select.select(sockets, [], [], 10)[0]
    for sock in sockets:
        sock.close()
    return len(ready)

print("WAITED", json.dumps(first_request_waiting()), flush=True)
raise RuntimeError("no database")
"""


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            "print('WAITED 0', flush=True)\nraise RuntimeError('no database')\n", id="at-once"
        ),
        pytest.param(SLOW_START, id="once-the-first-test-waits"),
    ],
)
def test_what_an_app_printed_before_it_failed_to_start_is_shown(
    flask_exercise: Exercise, source: str
) -> None:
    run, result = run_exercise(flask_exercise, {"app.py": source})

    assert result["verdict"] == "import_error"
    assert "RuntimeError: no database" in result["message"]
    # Printed before the error, so part of what the learner needs to see,
    # whether or not the first test had started when the app gave up.
    shown = result["output"] + "".join(test["output"] for test in result["tests"])
    assert "WAITED " in shown
    assert marker(run, "WAITED") in (0, 1)


# --- the container's walls, as learner code meets them ---------------------------

PROBE_WALLS = (
    r"""
import ctypes, errno, json, os, socket


def error_of(action):
    try:
        action()
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))
    return None

"""
    + UID_OF_SOURCE
    + r"""

def identity():
    status = {}
    for line in open("/proc/self/status"):
        name, _, value = line.partition(":")
        status[name] = value.strip()
    PR_GET_NO_NEW_PRIVS = 39
    return {
        "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": os.getgroups(),
        # Inheritable, permitted, effective and ambient (gVisor shows no ambient set).
        "capabilities": [value for name, value in status.items()
                         if name.startswith("Cap") and name != "CapBnd"],
        "no_new_privs": ctypes.CDLL(None).prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
        # The test runner's own directory says whose it is.
        "runner_uid": os.stat("/grader").st_uid,
    }


def write_refused(paths):
    return {path: error_of(lambda: open(path, "w")) for path in paths}


def scratch():
    with open("/work/scratch", "wb") as handle:
        handle.write(b"x" * 1024)
    stats = os.statvfs("/work")
    return os.path.getsize("/work/scratch"), stats.f_blocks * stats.f_frsize


def connect(host, port):
    return error_of(lambda: socket.create_connection((host, port), timeout=2))


def resolve(name):
    return error_of(lambda: socket.getaddrinfo(name, 443))


def interfaces():
    return [name for _, name in socket.if_nameindex()]


def read_memory(pid):
    # At an address mapped in every process of the image: where this one has
    # its first mapping (the Python executable); it can read its own there.
    start = int(open("/proc/self/maps").readline().split("-")[0], 16)
    with open(f"/proc/{pid}/mem", "rb") as mem:
        mem.seek(start)
        return mem.read(64)


def own_memory():
    return error_of(lambda: read_memory("self"))


def other_processes():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        uid = uid_of(pid)
        if uid is not None and uid != os.getuid():
            found.append({"pid": int(pid), "uid": uid, "mem": error_of(lambda: read_memory(pid))})
    return found


def what_proc_shows():
    # Every process's command line and environment, where they can be read at all.
    texts = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        for name in ("cmdline", "environ"):
            try:
                texts.append(open(f"/proc/{pid}/{name}", "rb").read().decode("latin-1"))
            except OSError:
                pass
    return texts


print("ENVIRON", json.dumps(dict(os.environ)), flush=True)
print("PROC", json.dumps(what_proc_shows()), flush=True)
"""
)

PROBE_WALLS_TESTS = r"""
import probe

def test_learner_code_runs_as_an_unprivileged_user_of_its_own():
    me = probe.identity()
    assert me["uid"] == me["euid"] and me["uid"] not in (0, me["runner_uid"]), me
    assert me["gid"] != 0 and 0 not in me["groups"], me
    assert len(me["capabilities"]) >= 3 and set(me["capabilities"]) == {"0" * 16}, me
    assert me["no_new_privs"] == 1, me

def test_root_file_system_is_read_only():
    refused = probe.write_refused(["/opt/lectern/harness/probe", "/etc/probe", "/usr/probe"])
    assert all(refused.values()), refused

def test_work_directory_is_small_and_writable():
    written, size = probe.scratch()
    assert written == 1024
    assert size <= 32 * 1024 * 1024

def test_no_network_by_address():
    assert probe.connect("1.1.1.1", 53) is not None

def test_no_network_by_name():
    assert probe.resolve("pypi.org") is not None

def test_only_the_loopback_interface_exists():
    assert probe.interfaces() == ["lo"]

def test_the_other_roles_memory_cannot_be_read():
    others = probe.other_processes()
    me = probe.identity()
    # The supervisor (root) and the test runner are there, and out of reach.
    assert {0, me["runner_uid"]} <= {process["uid"] for process in others}, others
    assert all(process["mem"] for process in others), others
    # Reading is refused for want of permission, not for a bad address.
    assert probe.own_memory() is None
"""


def test_the_container_walls_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    # A variable of the host (this test process) must not reach the container,
    # nor the run's key anything learner code can read.
    monkeypatch.setenv("LECTERN_HOST_CANARY", "canary-value-41")
    keys: list[bytes] = []
    token_bytes = secrets.token_bytes

    def recorded(size: int) -> bytes:
        keys.append(token_bytes(size))
        return keys[-1]

    monkeypatch.setattr(secrets, "token_bytes", recorded)
    run = run_probe(PROBE_WALLS, PROBE_WALLS_TESTS)

    assert probe_failures(run) == {}
    assert len(run.tests) == 7
    environment, proc = marker(run, "ENVIRON"), marker(run, "PROC")
    # Nothing in the environment but what configures the processes.
    assert "PATH" in environment
    assert all(variable_is_harmless(name) for name in environment), environment
    assert proc, "not even the learner's own /proc files could be read"
    everything = json.dumps([test.__dict__ for test in run.tests]) + run.output
    assert keys
    for secret in ("canary-value-41", "LECTERN_HOST_CANARY", *(key.hex() for key in keys)):
        assert secret not in everything


def test_containers_are_removed_after_each_run(flask_exercise: Exercise) -> None:
    passing, _ = run_exercise(flask_exercise, exercise_files("starter"))
    files = flask_app('@app.get("/hello")\ndef hello():\n    while True:\n        pass\n')
    timed_out, _ = run_exercise(flask_exercise, files, wall_seconds=2)
    # A run that finished is removed off the result's path, by another thread.
    runner.sandboxes_removals_wait()

    used = {passing.container_id, timed_out.container_id}
    assert len(used) == 2 and "" not in used
    client = docker.from_env()
    left = client.containers.list(all=True, filters={"label": LABEL})
    assert {str(container.id) for container in left} & used == set()


PROBE_DAEMON = r"""
import os, subprocess, time

MARK = "lectern-daemon-" + "left-behind"

def leave_a_daemon_behind():
    code = f"import time; time.sleep(600)  # {MARK}"
    pid = subprocess.Popen(["python3", "-c", code], start_new_session=True).pid
    # Popen returns once exec began; the new command line shows a moment later.
    while pid not in daemons():
        time.sleep(0.01)
    return pid

def daemons():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if MARK.encode() in open(f"/proc/{pid}/cmdline", "rb").read():
                found.append(int(pid))
        except OSError:
            pass
    return found
"""


def test_nothing_outlives_the_run() -> None:
    run = run_probe(
        PROBE_DAEMON,
        "from probe import daemons, leave_a_daemon_behind\n"
        "def test_leave_a_daemon_behind():\n"
        "    pid = leave_a_daemon_behind()\n"
        "    assert daemons() == [pid]\n",
        # Nothing of the visible phase is left when the hidden one starts.
        hidden_tests="from probe import daemons\n"
        "def test_the_daemon_is_gone():\n    assert daemons() == []\n",
        wall_seconds=20,
    )

    assert probe_failures(run) == {}
    assert [test.phase for test in run.tests] == ["visible", "hidden"]
    # Completed, not timed out: the run ended when pytest did, not when the
    # daemon would have (nor at the wall limit).
    assert run.status == "completed"


# --- forging the score ------------------------------------------------------------


def test_printed_fake_results_earn_nothing(
    flask_exercise: Exercise, honest_starter_score: float
) -> None:
    nodeid = "tests/test_app.py::test_hello_returns_200"
    record = {"type": "test", "phase": "visible", "nodeid": nodeid, "outcome": "pass", "seq": 2}
    fakes = [
        json.dumps(record),  # a record as it is written, unframed
        "0" * 64 + " " + json.dumps(record),  # framed as a signed record
        "\x1e" + "0" * 64 + " " + json.dumps(record),  # framed as shared mode frames them
        json.dumps({"name": "test_hello_returns_200", "status": "pass", "points": 100}),
        json.dumps({"type": "finished", "elapsed_ms": 1, "seq": 3}),
    ]
    printing = (
        "import os, sys\n"
        f"for line in {fakes!r}:\n"
        "    print(line, flush=True)\n"
        "    print(line, file=sys.stderr, flush=True)\n"
        "    os.write(1, line.encode() + b'\\n')\n"
        "print('FAKES-PRINTED', len({fakes!r}), flush=True)\n".replace("{fakes!r}", repr(fakes))
    )
    starter = exercise_files("starter")["app.py"]
    run, result = run_exercise(flask_exercise, {"app.py": printing + starter})

    assert marker(run, "FAKES-PRINTED") == len(fakes)
    assert result["score"] == honest_starter_score
    assert result["status"] == "fail"


def test_shipped_conftest_ini_and_site_customisation_are_ignored(
    flask_exercise: Exercise, honest_starter_score: float
) -> None:
    files = exercise_files("starter")
    files["app.py"] = (
        "import json, os\nprint('LEARNER-FILES', json.dumps(sorted(os.listdir('/work'))))\n"
        + files["app.py"]
    )
    files["conftest.py"] = (
        "import pytest\n"
        "print('CONFTEST-IMPORTED', flush=True)\n"
        "@pytest.hookimpl(wrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    report = yield\n"
        "    report.outcome = 'passed'\n"
        "    return report\n"
    )
    files["pytest.ini"] = "[pytest]\naddopts = -p no:python -p conftest\n"
    files["sitecustomize.py"] = "print('SITECUSTOMIZE-RAN', flush=True)\n"
    files["usercustomize.py"] = "print('USERCUSTOMIZE-RAN', flush=True)\n"
    run, result = run_exercise(flask_exercise, files)

    # The files were there, beside the learner's app, and nothing ran them.
    assert {"conftest.py", "pytest.ini", "sitecustomize.py"} <= set(marker(run, "LEARNER-FILES"))
    for never in ("CONFTEST-IMPORTED", "SITECUSTOMIZE-RAN", "USERCUSTOMIZE-RAN"):
        assert never not in printed(run)
    assert result["score"] == honest_starter_score
    assert result["status"] == "fail"


@pytest.mark.parametrize(
    ("body", "verdicts"),
    [
        pytest.param("import sys\nsys.exit(0)\n", {"import_error"}, id="exit-at-import"),
        pytest.param(
            FLASK_HEAD + '@app.get("/hello")\ndef hello():\n    raise SystemExit(0)\n',
            {"timeout", "crashed", "failed"},
            id="exit-in-test",
        ),
        pytest.param(
            FLASK_HEAD + 'import os\n@app.get("/hello")\ndef hello():\n    os._exit(0)\n',
            {"crashed"},
            id="hard-exit-in-test",
        ),
    ],
)
def test_exiting_early_earns_nothing(
    flask_exercise: Exercise, body: str, verdicts: set[str]
) -> None:
    _, result = run_exercise(flask_exercise, {"app.py": body}, wall_seconds=5)

    # The exit happened (the verdict says so) ...
    assert result["verdict"] in verdicts, result["message"]
    if result["verdict"] == "import_error":
        assert "SystemExit" in result["message"]
    # ... and only the tests that never reach it (POST /hello, an unknown path) may pass.
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
            "import errno, glob, os\n"
            "for place in ('/grader/tests/*.py', '/grader/*/*.py', '/work/tests/*.py'):\n"
            "    try:\n"
            "        paths = glob.glob(place) + [place.replace('*', 'test_app')]\n"
            "        for path in paths:\n"
            "            open(path, 'w').write('def test_hello_returns_200(): pass\\n')\n"
            "    except OSError as error:\n"
            "        print('REFUSED', place, errno.errorcode[error.errno], flush=True)\n",
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
    patched = patch + "print('PATCHED', 'true', flush=True)\n"
    run, result = run_exercise(flask_exercise, {"app.py": patched + starter})

    assert marker(run, "PATCHED") is True
    assert result["score"] <= honest_starter_score
    assert result["status"] != "pass"


# Tries every file descriptor of every other process: as stdout (fd 1) of the
# supervisor it would reach the host, as the test runner's records pipe the
# supervisor. Prints what each attempt did.
WRITE_EVERYWHERE = (
    r"""
import errno, json, os
"""
    + UID_OF_SOURCE
    + r"""
def forge_everywhere():
    fake = {"type": "test", "phase": "visible", "outcome": "pass", "seq": 2,
            "nodeid": "tests/test_app.py::test_hello_returns_json_message"}
    line = ("0" * 64 + " " + json.dumps(fake) + "\n").encode()
    attempts = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid() or uid_of(pid) == os.getuid():
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError as error:
            fds = ["1"]  # not even listed: try stdout all the same
            attempts.append([pid, uid_of(pid), "list", errno.errorcode[error.errno], ""])
        for fd in fds:
            path = f"/proc/{pid}/fd/{fd}"
            try:
                target = os.readlink(path)
            except OSError:
                target = ""
            try:
                handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
                os.write(handle, line)
                os.close(handle)
                attempts.append([pid, uid_of(pid), fd, "written", target])
            except OSError as error:
                attempts.append([pid, uid_of(pid), fd, errno.errorcode[error.errno], target])
    print("FORGED", json.dumps(attempts), flush=True)
"""
)


def test_writing_into_the_supervisors_output_earns_nothing(
    flask_exercise: Exercise, runtime: str
) -> None:
    files = flask_app(
        '@app.get("/hello")\n'
        "def hello():\n"
        "    forge_everywhere()\n"  # while the test runner waits for the answer
        '    return {"message": "Goodbye"}\n'
    )
    files["app.py"] = WRITE_EVERYWHERE + files["app.py"]
    run, result = run_exercise(flask_exercise, files)

    attempts = marker(run, "FORGED")
    tried = {uid for _, uid, _, _, _ in attempts}
    assert 0 in tried and 1000 in tried, attempts  # the supervisor and the test runner
    written = [attempt for attempt in attempts if attempt[3] == "written"]
    if runtime == "runc":
        assert written == []
    tests = {test["name"]: test for test in result["tests"]}
    assert tests["test_hello_returns_json_message"]["points"] == 0
    # gVisor lets a process list another's descriptors and open those anyone
    # may open (/dev/null); a write that reached the supervisor or the host
    # makes the run tampered.
    if any(target != "/dev/null" for *_, target in written):
        assert result["verdict"] == "tampered"
        assert result["score"] == 0
    else:
        assert result["verdict"] == "failed"


def test_killing_the_supervisor_earns_nothing(flask_exercise: Exercise) -> None:
    # Every process of the other two roles, while the test runner waits for the
    # answer (test_hostile kills the learner's own processes too).
    files = flask_app(
        "import errno, json, os, signal\n"
        "def uid_of(pid):\n"
        "    for line in open(f'/proc/{pid}/status'):\n"
        "        if line.startswith('Uid:'):\n"
        "            return int(line.split()[1])\n"
        "killed = []\n"
        '@app.get("/hello")\n'
        "def hello():\n"
        "    if not killed:\n"
        "        for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "            uid = uid_of(pid)\n"
        "            if uid != os.getuid():\n"
        "                try:\n"
        "                    os.kill(int(pid), signal.SIGKILL)\n"
        "                    killed.append([uid, 'killed'])\n"
        "                except OSError as error:\n"
        "                    killed.append([uid, errno.errorcode[error.errno]])\n"
        "        print('KILLED', json.dumps(killed), flush=True)\n"
        '    return {"message": "Hello, World!"}\n'
    )
    run, result = run_exercise(flask_exercise, files)

    killed = marker(run, "KILLED")
    # The supervisor and the test runner were tried, and cannot be signalled ...
    assert {uid for uid, _ in killed} >= {0, 1000}, killed
    assert {outcome for _, outcome in killed} == {"EPERM"}, killed
    # ... so the run went on as if nothing had happened.
    assert run.status == "completed"
    assert result["verdict"] == "passed"


def test_the_supervisors_stdin_holds_no_hidden_tests(flask_exercise: Exercise) -> None:
    peek = (
        "import errno, json, os\n"
        "seen = {}\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    if int(pid) != os.getpid():\n"
        "        try:\n"
        "            fd = os.open(f'/proc/{pid}/fd/0', os.O_RDONLY | os.O_NONBLOCK)\n"
        "            seen[pid] = os.read(fd, 65536).decode('latin-1')\n"
        "        except OSError as error:\n"
        "            seen[pid] = errno.errorcode[error.errno]\n"
        "print('STDIN', json.dumps(seen), flush=True)\n"
    )
    solution = exercise_files("solution")["app.py"]
    run, result = run_exercise(flask_exercise, {"app.py": peek + solution})

    seen = marker(run, "STDIN")
    assert len(seen) >= 2, seen  # the supervisor and the test runner, at least
    for test in flask_exercise.tests:
        if test["visibility"] == "hidden":
            assert test["name"] not in json.dumps(seen)
    # And the hidden tests still arrived where they belong.
    assert result["status"] == "pass"


def test_hidden_test_code_never_reaches_the_learner(flask_exercise: Exercise) -> None:
    # Learner code that prints every test file it can find, in both phases.
    spy = (
        "import glob, json\n"
        "found = {}\n"
        "for pattern in ('/grader/tests/*.py', '/grader/**/*.py', '/work/**/*.py', '/tmp/**/*'):\n"
        "    for path in glob.glob(pattern, recursive=True):\n"
        "        try:\n"
        "            found[path] = open(path).read()\n"
        "        except OSError as error:\n"
        "            found[path] = str(error)\n"
        "print('SPIED', json.dumps(found), flush=True)\n"
    )
    solution = exercise_files("solution")["app.py"]
    run, result = run_exercise(flask_exercise, {"app.py": spy + solution})

    assert "/work/app.py" in marker(run, "SPIED")
    hidden_names = [t["name"] for t in flask_exercise.tests if t["visibility"] == "hidden"]
    shown = json.dumps(result)
    for name in hidden_names:
        assert f"def {name}" not in shown
    assert result["status"] == "pass"


def shifted(text: str) -> bytes:
    """`text` with every byte shifted by one: a pattern that can be held in
    memory without being found there."""
    return bytes((byte + 1) % 256 for byte in text.encode())


SCAN = r"""
import os

SHIFT = bytes((b + 1) % 256 for b in range(256))
PATTERNS = PATTERNS_HERE


def readable(pid):
    try:
        with open(f"/proc/{pid}/maps") as maps_file:
            regions = [line.split() for line in maps_file]
        return open(f"/proc/{pid}/mem", "rb"), regions
    except OSError:
        return None, []


def scan():
    # Every process whose memory learner code can read, searched for each pattern.
    found, processes = set(), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        mem, regions = readable(pid)
        if mem is None:
            continue
        processes += 1
        with mem:
            for fields in regions:
                start, end = (int(x, 16) for x in fields[0].split("-"))
                if "r" not in fields[1] or end - start > 256 * 1024 * 1024:
                    continue
                try:
                    mem.seek(start)
                    data = mem.read(end - start).translate(SHIFT)
                except (OSError, ValueError, OverflowError):
                    continue
                found |= {name for name, pattern in PATTERNS.items() if pattern in data}
    return sorted(found), processes
"""


def test_the_visible_phase_holds_no_hidden_test_in_memory() -> None:
    """Learner code searches all the memory it can read for the code of a hidden
    test, while the visible tests run and while the hidden ones do.

    The pattern must not itself be in memory, or it would find itself: the code
    holds it with every byte shifted by one and shifts the memory it reads
    instead. A marker in the learner's own file serves as the control."""
    patterns = {
        "hidden test": shifted("def test_the_hidden_one("),
        "control": shifted("LEARNER" + "-CONTROL-MARK"),
    }
    probe = SCAN.replace("PATTERNS_HERE", repr(patterns)) + "CONTROL = 'LEARNER-CONTROL-MARK'\n"
    run = run_probe(
        probe,
        "from probe import scan\n"
        "def test_the_visible_one():\n"
        "    found, processes = scan()\n"
        "    assert found == ['control'] and processes >= 1, (found, processes)\n",
        hidden_tests="from probe import scan\n"
        "def test_the_hidden_one():\n"
        "    found, processes = scan()\n"
        "    assert found == ['control'] and processes >= 1, (found, processes)\n",
        wall_seconds=30,
    )

    assert probe_failures(run) == {}
    assert [test.phase for test in run.tests] == ["visible", "hidden"]


def test_a_learner_module_cannot_stand_in_for_a_module_of_the_tests() -> None:
    """A test builds its expected value with the standard library; the learner
    ships a module of that name whose results equal anything. The test must get
    the standard library's module, or the learner's code decides the expected
    value as well as the actual one."""
    shadow = (
        "print('SHADOW', 'true', flush=True)\n"
        "class Anything:\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __hash__ = object.__hash__\n"
        "def rgb_to_hsv(*args):\n"
        "    return Anything()\n"
    )
    convert = "from colorsys import rgb_to_hsv\ndef hsv(r, g, b):\n    return rgb_to_hsv(r, g, b)\n"
    tests = (
        "from colorsys import rgb_to_hsv\n"
        "from convert import hsv\n"
        "def test_hsv():\n"
        "    assert hsv(1.0, 0.5, 0.0) == rgb_to_hsv(1.0, 0.5, 0.0)\n"
    )
    run = run_job({"convert.py": convert, "colorsys.py": shadow}, {"test_convert.py": tests})

    # The learner's own code imported its module (and its hsv() is wrong) ...
    assert marker(run, "SHADOW") is True
    # ... and the test's rgb_to_hsv is the standard library's, so it fails.
    assert [test.outcome for test in run.tests] == ["fail"], run.tests
