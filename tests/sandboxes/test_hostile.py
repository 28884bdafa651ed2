"""Hostile submissions, under runc and under gVisor (docs/security.md).

Each case ends in a clear verdict for its learner, earns no points the honest
code would not, and leaks nothing; the next ordinary submission is graded
normally. Learner code runs in a process of its own, under its own uid: the
probes below are learner code (runs.run_probe), and every trick prints a
marker saying what it did and saw, so that a trick that broke before doing
anything cannot pass for one that was stopped. The cases about the
container's basic walls and the score's channel are in test_runner.py.
"""

import json
from typing import Any

import pytest

from grader.results import result_build
from lessons.exercise_tests import exercise_tests_discover
from lessons.models import Exercise
from sandboxes.limits import limits_resolve
from sandboxes.runner import ReportedTest, SandboxRun
from tests.conftest import exercise_files
from tests.sandboxes.runs import (
    FLASK_HEAD,
    UID_OF_SOURCE,
    flask_app,
    marker,
    plain_pytest_score,
    printed,
    probe_failures,
    run_exercise,
    run_job,
    run_probe,
    variable_is_harmless,
)

pytestmark = [pytest.mark.docker, pytest.mark.django_db, pytest.mark.usefixtures("runtime")]

# Every forgery below answers GET /hello with the wrong message: whatever the
# forgery does, the test of that message must earn nothing.
GOODBYE = FLASK_HEAD + '@app.get("/hello")\ndef hello():\n    return {"message": "Goodbye"}\n'
MESSAGE_TEST = "test_hello_returns_json_message"


def in_hello(code: str) -> dict[str, str]:
    """A Flask app whose GET /hello runs `code` (indented four spaces)."""
    body = "\n".join("    " + line for line in code.strip().splitlines())
    return flask_app(
        f'@app.get("/hello")\ndef hello():\n{body}\n    return {{"message": "Hello, World!"}}\n'
    )


def once_in_hello(code: str, *, answer: str = "Goodbye") -> dict[str, str]:
    """A Flask app whose first GET /hello runs `code` (indented four spaces)
    while the test runner waits for the answer, and answers {"message": answer}."""
    body = "\n".join("        " + line for line in code.strip().splitlines())
    return flask_app(
        "done = []\n"
        '@app.get("/hello")\n'
        "def hello():\n"
        "    if not done:\n"
        "        done.append(True)\n"
        f"{body}\n"
        f'    return {{"message": "{answer}"}}\n'
    )


@pytest.fixture
def broken_hello_score(flask_exercise: Exercise) -> float:
    """What an app earns whose GET /hello simply fails: the baseline for in_hello()
    cases, counted by plain pytest, not by the grader under test."""
    return plain_pytest_score(flask_exercise, in_hello("raise RuntimeError('broken')"))


@pytest.fixture
def goodbye_score(flask_exercise: Exercise) -> float:
    """What the honest app that answers "Goodbye" earns, by plain pytest."""
    return plain_pytest_score(flask_exercise, {"app.py": GOODBYE})


def assert_no_gain(result: dict[str, Any], honest: float) -> None:
    assert float(result["score"]) <= honest
    assert result["status"] != "pass"


def assert_message_test_earned_nothing(result: dict[str, Any], honest: float) -> None:
    tests = {test["name"]: test for test in result["tests"]}
    assert tests[MESSAGE_TEST]["status"] != "pass"
    assert tests[MESSAGE_TEST]["points"] == 0
    assert_no_gain(result, honest)


# --- processes and time ---------------------------------------------------------


def test_a_thread_bomb_is_stopped(flask_exercise: Exercise, broken_hello_score: float) -> None:
    files = in_hello(
        "import threading, time\n"
        "while True:\n"
        "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
    )
    _, result = run_exercise(flask_exercise, files, wall_seconds=5)

    assert result["verdict"] in ("process_limit", "memory_limit")
    assert_no_gain(result, broken_hello_score)


def test_deep_recursion_is_stopped(flask_exercise: Exercise, broken_hello_score: float) -> None:
    files = in_hello(
        "import sys\nsys.setrecursionlimit(10**8)\ndef dive(n):\n    return dive(n + 1)\ndive(0)\n"
    )
    _, result = run_exercise(flask_exercise, files, wall_seconds=5)

    # Python's own limit was lifted, so the C stack overflows and the process dies.
    assert result["verdict"] in ("crashed", "failed", "memory_limit")
    assert_no_gain(result, broken_hello_score)


def test_a_process_that_ignores_sigterm_does_not_outlive_the_run(
    flask_exercise: Exercise,
) -> None:
    files = in_hello(
        "import subprocess, sys\n"
        "code = ('import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); '\n"
        "        'time.sleep(600)')\n"
        "child = subprocess.Popen([sys.executable, '-c', code], start_new_session=True)\n"
        "print('STUBBORN', child.pid, flush=True)\n"
    )
    run, result = run_exercise(flask_exercise, files, wall_seconds=20)

    assert marker(run, "STUBBORN") > 0
    # Completed, not timed out, and graded as the honest solution would be.
    assert run.status == "completed"
    assert result["status"] == "pass"


# --- output ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flood",
    [
        pytest.param("import sys\nwhile True:\n    sys.stderr.write('e' * 1000)\n", id="stderr"),
        pytest.param("import sys\nsys.stdout.write('x' * 10_000_000)\n", id="one-enormous-line"),
    ],
)
def test_output_floods_end_in_the_output_verdict(
    flask_exercise: Exercise, broken_hello_score: float, flood: str
) -> None:
    _, result = run_exercise(flask_exercise, in_hello(flood), wall_seconds=5)

    assert result["verdict"] == "output_limit"
    assert_no_gain(result, broken_hello_score)


def test_binary_garbage_on_stdout_is_shown_safely(flask_exercise: Exercise) -> None:
    files = in_hello(
        "import os\n"
        "os.write(1, bytes(range(256)) + b'\\xff\\xfe\\xc3\\x28 invalid utf-8 \\x00\\x1b[2J')\n"
    )
    _, result = run_exercise(flask_exercise, files)

    assert result["status"] == "pass"
    first = result["tests"][0]
    assert "invalid utf-8" in first["output"]
    assert "\ufffd" in first["output"]  # undecodable bytes replaced, not passed on


# --- disk -------------------------------------------------------------------------------

PROBE_DISK = r"""
import errno, os


def error_name(error):
    return errno.errorcode.get(error.errno, str(error.errno))


def fill(path, chunk=1024 * 1024):
    # Bytes written to one file before the disk said no, and what it said.
    written = 0
    try:
        with open(path, "wb") as handle:
            while written < 512 * 1024 * 1024:
                handle.write(b"x" * chunk)
                handle.flush()
                written += chunk
    except OSError as error:
        return written, error_name(error)
    finally:
        if os.path.exists(path):
            os.remove(path)
    return written, None


def many_small_files():
    made = 0
    try:
        while made < 2_000_000:
            with open(f"/work/small-{made}", "wb") as handle:
                handle.write(b"x" * 4096)
            made += 1
    except OSError as error:
        return made, error_name(error)
    return made, None


def write_into(folder):
    try:
        open(os.path.join(folder, "intruder"), "w").close()
    except OSError as error:
        return error_name(error)
    return None
"""

PROBE_DISK_TESTS = r"""
import pytest
from probe import fill, many_small_files, write_into

@pytest.mark.parametrize("place", ["/work", "/tmp", "/dev/shm"])
def test_one_huge_file_stops_at_the_tmpfs_size(place):
    written, error = fill(place + "/huge")
    assert error is not None and written <= 64 * 1024 * 1024, (written, error)

def test_many_small_files_stop_too():
    made, error = many_small_files()
    assert error is not None and made < 2_000_000, (made, error)

@pytest.mark.parametrize(
    "place", ["/", "/opt/lectern", "/etc", "/usr/lib", "/var", "/home", "/grader"]
)
def test_nothing_outside_the_work_directories_is_writable(place):
    assert write_into(place) is not None
"""


def test_filling_the_disk_is_contained(flask_exercise: Exercise) -> None:
    run = run_probe(PROBE_DISK, PROBE_DISK_TESTS, wall_seconds=30, memory_mb=512)

    assert probe_failures(run) == {}
    assert len(run.tests) == 11
    # The next submission gets a fresh, empty file system.
    _, result = run_exercise(flask_exercise, exercise_files("solution"))
    assert result["status"] == "pass"


# --- network ----------------------------------------------------------------------------

PROBE_NETWORK = r"""
import errno, socket


def refused(action):
    # The error that stopped `action`, or None if it worked.
    try:
        action()
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno)) if error.errno else str(error)
    return None


def connect(host, port):
    return refused(lambda: socket.create_connection((host, port), timeout=2).close())


def resolve(name):
    return refused(lambda: socket.getaddrinfo(name, 80))


def send_udp(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        return refused(lambda: udp.sendto(b"x", (host, port)))


def open_raw_socket():
    return refused(lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))


def interfaces_while_listening():
    with socket.socket() as server:
        server.bind(("0.0.0.0", 8765))
        server.listen()
        return [name for _, name in socket.if_nameindex()]
"""

PROBE_NETWORK_TESTS = r"""
import pytest
import probe

@pytest.mark.parametrize("address", [
    ("172.17.0.1", 2375),      # the Docker host's bridge gateway (and its API port)
    ("172.17.0.1", 80),
    ("169.254.169.254", 80),   # cloud instance metadata
    ("10.0.0.1", 80),
    ("1.1.1.1", 443),
])
def test_no_route_anywhere(address):
    assert probe.connect(*address) is not None

def test_no_name_resolution():
    assert probe.resolve("example.com") is not None

def test_udp_goes_nowhere():
    assert probe.send_udp("8.8.8.8", 53) is not None

def test_no_raw_sockets():
    assert probe.open_raw_socket() is not None

def test_a_listening_socket_is_only_on_loopback():
    assert probe.interfaces_while_listening() == ["lo"]
"""


def test_the_network_is_unreachable() -> None:
    run = run_probe(PROBE_NETWORK, PROBE_NETWORK_TESTS, wall_seconds=30)

    assert probe_failures(run) == {}
    assert len(run.tests) == 9


# --- secrets ------------------------------------------------------------------------------

PROBE_HOST = r"""
import os


def host_doors():
    # Paths of the host that exist and can be read, and whether the mounts show the API.
    doors = [path for path in ("/var/run/docker.sock", "/run/docker.sock", "/host", "/root/.ssh")
             if os.path.exists(path) and os.access(path, os.R_OK)]
    return doors, "docker.sock" in open("/proc/mounts").read()


def process_names():
    names = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            names.append(open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0].decode())
        except OSError:
            pass
    return names


def hostname():
    return open("/proc/sys/kernel/hostname").read().strip()


def readable(paths):
    opened = []
    for path in paths:
        try:
            open(path, "rb").read(1)
            opened.append(path)
        except OSError:
            pass
    return opened


def writable(paths):
    written = []
    for path in paths:
        try:
            # Opening is the test: a value the file refuses would hide a writable one.
            open(path, "w").close()
            written.append(path)
        except OSError:
            pass
    return written
"""

PROBE_HOST_TESTS = r"""
import probe

def test_no_docker_socket_or_host_mounts():
    assert probe.host_doors() == ([], False)

def test_only_this_containers_processes_are_visible():
    names = probe.process_names()
    assert names and all("dockerd" not in name and "containerd" not in name for name in names)
    assert len(names) < 10, names

def test_the_host_is_not_named():
    assert probe.hostname() == "sandbox"

def test_kernel_memory_and_host_files_are_closed():
    assert probe.readable(["/proc/kcore", "/dev/mem", "/etc/shadow"]) == []

def test_cgroups_are_read_only():
    # Limits, and the CPU weight a long run is lowered to, which it may not raise back.
    cgroups = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
               "/sys/fs/cgroup/cpu.weight", "/sys/fs/cgroup/cpu/cpu.shares"]
    assert probe.writable(cgroups) == []
"""


def test_the_host_stays_out_of_view() -> None:
    run = run_probe(PROBE_HOST, PROBE_HOST_TESTS)

    assert probe_failures(run) == {}
    assert len(run.tests) == 5


def shifted(text: str) -> bytes:
    """`text` with every byte shifted by one, so that code can look for it
    without holding it."""
    return bytes((byte + 1) % 256 for byte in text.encode())


SECRET = "learner-a-secret-7f19c2"
SECRET_PLACES = ("/work/secret.txt", "/tmp/secret.txt", "/dev/shm/secret.txt")

WRITER = f"""
def leave_a_secret():
    for place in {SECRET_PLACES!r}:
        open(place, "w").write({SECRET!r})
    return "left"

def secrets_left():
    return [open(place).read() for place in {SECRET_PLACES[1:]!r}]
"""

# The reader holds neither the secret nor its control text, only their shifted
# bytes: what it finds is there.
READER = f"""
import os

SHIFT = bytes((b + 1) % 256 for b in range(256))
PATTERNS = {{"secret": {shifted(SECRET)!r}, "control": {shifted("reader-own-control")!r}}}


def look_for_the_other_learner():
    with open("/tmp/control.txt", "wb") as control:
        control.write(bytes(b - 1 for b in PATTERNS["control"]))
    found = {{"secret": [], "control": []}}
    for root in ("/work", "/tmp", "/dev/shm", "/proc"):
        for folder, _, names in os.walk(root):
            if folder.startswith("/proc/") and folder.count("/") > 2:
                continue
            for name in names:
                path = os.path.join(folder, name)
                try:
                    data = open(path, "rb").read(65536).translate(SHIFT)
                except OSError:
                    continue
                for kind, pattern in PATTERNS.items():
                    if pattern in data:
                        found[kind].append(path)
    return found
"""


def test_two_learners_graded_at_once_cannot_see_each_other() -> None:
    runs: dict[str, SandboxRun] = {}

    def on_writer_test(test: ReportedTest) -> None:
        # The reader runs, whole, while the writer's run waits for this callback
        # to return: its secret is in place (the hidden phase checks that it
        # stayed), and no guess about timing is involved.
        if test.nodeid.endswith("::test_leave_a_secret") and test.outcome == "pass":
            runs["reader"] = run_probe(
                READER,
                "from probe import look_for_the_other_learner\n"
                "def test_look_for_the_other_learner():\n"
                "    found = look_for_the_other_learner()\n"
                "    assert found['secret'] == [], found\n"
                "    assert '/tmp/control.txt' in found['control'], found\n",
                wall_seconds=30,
            )

    runs["writer"] = run_probe(
        WRITER,
        "from probe import leave_a_secret\n"
        "def test_leave_a_secret():\n    assert leave_a_secret() == 'left'\n",
        hidden_tests="from probe import secrets_left\n"
        "def test_the_secret_stayed():\n"
        f"    assert secrets_left() == [{SECRET!r}, {SECRET!r}]\n",
        on_test=on_writer_test,
        wall_seconds=60,
    )

    assert probe_failures(runs["writer"]) == {}
    assert [test.phase for test in runs["writer"].tests] == ["visible", "hidden"]
    assert "reader" in runs, "the writer never reported its secret written"
    assert probe_failures(runs["reader"]) == {}
    assert SECRET not in json.dumps([test.__dict__ for test in runs["reader"].tests])
    assert SECRET not in runs["reader"].output


# --- tricks against the harness ------------------------------------------------------------

# Each ends with a line "TRICK <json>" saying what it did. They target what the
# harness used to be, where learner code shared the test process; now that
# process is another one, and each trick only changes the learner's own.
HARNESS_TRICKS = {
    "patch-the-harness": """
import json, sys
sys.path.insert(0, '/opt/lectern/harness')
patched = []
for name in ('runner_report', 'lectern_plugin'):
    try:
        module = __import__(name)
    except Exception as error:
        patched.append([name, type(error).__name__])
        continue
    if hasattr(module, 'report_outcome'):
        module.report_outcome = lambda reports: ('pass', '', None)
        patched.append([name, 'report_outcome'])
    if hasattr(module, 'LecternPlugin'):
        module.LecternPlugin.outcome_of = lambda self, nodeid: ('pass', '', None)
        patched.append([name, 'LecternPlugin.outcome_of'])
print('TRICK', json.dumps(patched), flush=True)
""",
    "silence-the-harness": """
import json, sys
sys.path.insert(0, '/opt/lectern/harness')
import runner_report
silenced = []
for name, module in list(sys.modules.items()):
    writer = getattr(module, 'RecordWriter', None)
    if isinstance(writer, type):
        writer.write = lambda self, record: None
        silenced.append(name)
print('TRICK', json.dumps(sorted(silenced)), flush=True)
""",
    "patch-the-encoder": """
import json
original = json.dumps
json.dumps = lambda obj, **kw: original(
    {**obj, 'outcome': 'pass'} if isinstance(obj, dict) else obj, **kw)
print('TRICK', json.dumps(['json.dumps']), flush=True)
""",
    "write-a-results-file": """
import json
written = []
for place in ('/work/results.json', '/tmp/results.json', '/work/.lectern', '/grader/results.json'):
    try:
        open(place, 'w').write(json.dumps({'score': 100, 'status': 'pass'}))
        written.append(place)
    except OSError as error:
        written.append(place + ': ' + error.strerror)
print('TRICK', json.dumps(written), flush=True)
""",
    "delete-the-test-files": """
import glob, json, os, shutil
deleted = []
for place in ('/grader/tests', '/work/tests'):
    try:
        names = os.listdir(place)
        shutil.rmtree(place)
        deleted.append([place, names])
    except OSError as error:
        deleted.append([place, error.strerror])
print('TRICK', json.dumps(deleted), flush=True)
""",
    "swap-the-tests-for-a-symlink": """
import json, os, shutil
os.makedirs('/tmp/fake', exist_ok=True)
open('/tmp/fake/test_app_hidden.py', 'w').write('def test_x():\\n    pass\\n')
swapped = []
for place in ('/grader/tests', '/work/tests'):
    try:
        shutil.rmtree(place, ignore_errors=True)
        os.symlink('/tmp/fake', place)
        swapped.append([place, 'swapped'])
    except OSError as error:
        swapped.append([place, error.strerror])
print('TRICK', json.dumps(swapped), flush=True)
""",
}


@pytest.mark.parametrize("trick", sorted(HARNESS_TRICKS))
def test_tricks_against_the_harness_earn_nothing(
    flask_exercise: Exercise, honest_starter_score: float, trick: str
) -> None:
    starter = exercise_files("starter")["app.py"]
    run, result = run_exercise(flask_exercise, {"app.py": HARNESS_TRICKS[trick] + starter})

    assert marker(run, "TRICK")  # it ran, and did something
    assert_no_gain(result, honest_starter_score)
    assert result["verdict"] != "grader_error"


# The image ships the harness compiled: a learner who swaps a .pyc for one that
# reports passes would have the test runner import it.
REPLACE_THE_COMPILED_HARNESS = """
import glob, json, os, py_compile
open('/tmp/forged.py', 'w').write("def report_outcome(reports):\\n    return ('pass', '', None)\\n")
tried = {}
for target in sorted(glob.glob('/opt/lectern/harness/__pycache__/*.pyc')):
    try:
        py_compile.compile('/tmp/forged.py', cfile=target, doraise=True)
        tried[target] = 'written'
    except (OSError, py_compile.PyCompileError) as error:
        tried[target] = type(error).__name__
print('TRICK', json.dumps(tried), flush=True)
"""


def test_the_compiled_harness_cannot_be_replaced(
    flask_exercise: Exercise, honest_starter_score: float
) -> None:
    starter = exercise_files("starter")["app.py"]
    run, result = run_exercise(flask_exercise, {"app.py": REPLACE_THE_COMPILED_HARNESS + starter})

    tried = marker(run, "TRICK")
    assert any(target.endswith("/runner_report.cpython-311.pyc") for target in tried), tried
    assert set(tried.values()) <= {"PermissionError", "OSError"}, tried
    assert_no_gain(result, honest_starter_score)


def test_the_tests_cannot_be_read_or_written_by_learner_code(
    flask_exercise: Exercise, honest_starter_score: float
) -> None:
    trick = (
        "import errno, json, os\n"
        "def error_of(action):\n"
        "    try:\n"
        "        action()\n"
        "    except OSError as error:\n"
        "        return errno.errorcode[error.errno]\n"
        "    return 'allowed'\n"
        "print('GRADER', json.dumps({\n"
        "    'list /grader': error_of(lambda: os.listdir('/grader')),\n"
        "    'list /grader/tests': error_of(lambda: os.listdir('/grader/tests')),\n"
        "    'read a test': error_of(lambda: open('/grader/tests/test_app.py').read()),\n"
        "    'write into /grader': error_of(lambda: open('/grader/conftest.py', 'w')),\n"
        "    'write a test': error_of(lambda: open('/grader/tests/test_x.py', 'w')),\n"
        "    'make a folder': error_of(lambda: os.mkdir('/grader/tests2')),\n"
        "}), flush=True)\n"
    )
    starter = exercise_files("starter")["app.py"]
    run, result = run_exercise(flask_exercise, {"app.py": trick + starter})

    assert marker(run, "GRADER") == {
        "list /grader": "EACCES",
        "list /grader/tests": "EACCES",
        "read a test": "EACCES",
        "write into /grader": "EACCES",
        "write a test": "EACCES",
        "make a folder": "EACCES",
    }
    assert result["score"] == honest_starter_score


UID_OF = (
    """
import ctypes, errno, json, os, signal


"""
    + UID_OF_SOURCE
    + """

def others():
    # Every other process: (pid, uid), those of other users first.
    found = [(int(pid), uid_of(pid)) for pid in filter(str.isdigit, os.listdir("/proc"))]
    found = [(pid, uid) for pid, uid in found if pid != os.getpid() and uid is not None]
    return sorted(found, key=lambda process: process[1] == os.getuid())


def errno_of(action):
    try:
        action()
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))
    return "done"


def read_memory(pid):
    # At an address that is mapped in every process of the image: where this
    # one has its first mapping (the Python executable).
    start = int(open("/proc/self/maps").readline().split("-")[0], 16)
    with open(f"/proc/{pid}/mem", "rb") as mem:
        mem.seek(start)
        return mem.read(64)
"""
)


def test_killing_every_other_process_earns_nothing(
    flask_exercise: Exercise, goodbye_score: float
) -> None:
    # The first request tries every process of the other two roles and says
    # what happened; the second kills the learner's own (its parent too).
    files = flask_app(
        "calls = []\n"
        '@app.get("/hello")\n'
        "def hello():\n"
        "    calls.append(1)\n"
        "    mine = [pid for pid, uid in others() if uid == os.getuid()]\n"
        "    if len(calls) == 1:\n"
        "        tried = [[uid, errno_of(lambda: os.kill(pid, signal.SIGKILL))]\n"
        "                 for pid, uid in others() if uid != os.getuid()]\n"
        "        print('KILLED', json.dumps(tried), flush=True)\n"
        "    else:\n"
        "        for pid in mine:\n"
        "            os.kill(pid, signal.SIGKILL)\n"
        '    return {"message": "Goodbye"}\n'
    )
    files["app.py"] = UID_OF + files["app.py"]
    run, result = run_exercise(flask_exercise, files)

    tried = marker(run, "KILLED")
    assert {uid for uid, _ in tried} >= {0, 1000}, tried
    assert {outcome for _, outcome in tried} == {"EPERM"}, tried
    # The learner's own processes it could kill; that only stops its own run.
    assert result["verdict"] in ("crashed", "failed")
    assert result["gradable"] is True
    assert_message_test_earned_nothing(result, goodbye_score)


def test_racing_the_test_runner_through_proc_finds_nothing(
    flask_exercise: Exercise, goodbye_score: float, runtime: str
) -> None:
    files = once_in_hello(
        "seen = {}\n"
        "for pid, uid in others():\n"
        "    if uid != os.getuid():\n"
        "        seen[pid] = {'uid': uid,\n"
        "            'mem': errno_of(lambda: read_memory(pid)),\n"
        "            'environ': errno_of(lambda: open(f'/proc/{pid}/environ', 'rb').read()),\n"
        "            'fd': errno_of(lambda: os.listdir(f'/proc/{pid}/fd')),\n"
        "            'cwd': errno_of(lambda: os.listdir(f'/proc/{pid}/cwd/')),\n"
        "            'root': errno_of(lambda: os.listdir(f'/proc/{pid}/root/grader')),\n"
        "        }\n"
        "        try:\n"
        "            seen[pid]['environ text'] = open(f'/proc/{pid}/environ', 'rb').read(\n"
        "                ).decode('latin-1')\n"
        "        except OSError:\n"
        "            pass\n"
        "print('PROC', json.dumps(seen), flush=True)\n"
        "print('OWN', json.dumps(errno_of(lambda: read_memory('self'))), flush=True)\n"
    )
    files["app.py"] = UID_OF + files["app.py"]
    run, result = run_exercise(flask_exercise, files)

    # Its own memory learner code can read, at the address it tries in the others'.
    assert marker(run, "OWN") == "done"
    seen = marker(run, "PROC").values()
    assert {process["uid"] for process in seen} >= {0, 1000}, seen
    for process in seen:
        # Nobody's memory, working directory or files.
        assert process["mem"] != "done"
        assert process["cwd"] != "done"
        assert process["root"] != "done"
        if runtime == "runc":
            assert {process[name] for name in ("environ", "fd")} == {"EACCES"}, process
        # gVisor lets the descriptors be listed and the environment read (the
        # issue saw it): both hold nothing but how the harness started.
        for line in process.get("environ text", "").split("\0"):
            assert not line or variable_is_harmless(line.split("=")[0]), line
    assert_message_test_earned_nothing(result, goodbye_score)


def test_ptrace_of_the_test_runner_is_refused(
    flask_exercise: Exercise, goodbye_score: float
) -> None:
    files = once_in_hello(
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "PTRACE_ATTACH, PTRACE_SEIZE = 16, 0x4206\n"
        "def call(name, *args):\n"
        "    if getattr(libc, name)(*args) == -1:\n"
        "        number = ctypes.get_errno()\n"
        "        raise OSError(number, os.strerror(number))\n"
        "class Iovec(ctypes.Structure):\n"
        "    _fields_ = [('base', ctypes.c_void_p), ('length', ctypes.c_size_t)]\n"
        "buffer = ctypes.create_string_buffer(64)\n"
        "local = Iovec(ctypes.cast(buffer, ctypes.c_void_p), 64)\n"
        "remote = Iovec(0x400000, 64)\n"
        "tried = [[uid, errno_of(lambda: call('ptrace', PTRACE_ATTACH, pid, 0, 0)),\n"
        "          errno_of(lambda: call('ptrace', PTRACE_SEIZE, pid, 0, 0)),\n"
        "          errno_of(lambda: call('process_vm_readv', pid, ctypes.byref(local), 1,\n"
        "                                ctypes.byref(remote), 1, 0))]\n"
        "         for pid, uid in others() if uid != os.getuid()]\n"
        "print('PTRACE', json.dumps(tried), flush=True)\n"
    )
    files["app.py"] = UID_OF + files["app.py"]
    run, result = run_exercise(flask_exercise, files)

    tried = marker(run, "PTRACE")
    assert {uid for uid, *_ in tried} >= {0, 1000}, tried
    assert {attach for _, attach, _, _ in tried} == {"EPERM"}, tried
    assert {seize for _, _, seize, _ in tried} == {"EPERM"}, tried
    # gVisor has no process_vm_readv at all (ENOSYS).
    assert {read for *_, read in tried} <= {"EPERM", "ENOSYS"}, tried
    assert_message_test_earned_nothing(result, goodbye_score)


# --- forging the score of a web exercise ------------------------------------------------------

# The forgeries of issue 12, each of which earned full points when learner code
# shared the test process, and variants. Each prints "FORGERY <json>".
FORGERIES = {
    "patch-flask-get-json": """
import json
import flask.wrappers
flask.wrappers.Response.get_json = lambda self, *a, **kw: {"message": "Hello, World!"}
print("FORGERY", json.dumps("flask.wrappers.Response.get_json"), flush=True)
""",
    "patch-httpx": """
import json
import httpx
httpx.Response.json = lambda self, **kw: {"message": "Hello, World!"}
original_init = httpx.Response.__init__
def init(self, status_code, *args, **kwargs):
    original_init(self, 200, *args, **kwargs)
    self.headers["content-type"] = "application/json"
httpx.Response.__init__ = init
print("FORGERY", json.dumps("httpx.Response"), flush=True)
""",
    "patch-werkzeug": """
import json
import werkzeug.test, werkzeug.wrappers
werkzeug.wrappers.Response.get_json = lambda self, *a, **kw: {"message": "Hello, World!"}
werkzeug.test.TestResponse.get_json = lambda self, *a, **kw: {"message": "Hello, World!"}
werkzeug.test.TestResponse.status_code = 200
original_open = werkzeug.test.Client.open
def faked_open(self, *args, **kwargs):
    response = original_open(self, *args, **kwargs)
    response.data = b'{"message": "Hello, World!"}'
    return response
werkzeug.test.Client.open = faked_open
print("FORGERY", json.dumps("werkzeug"), flush=True)
""",
    "walk-gc-for-the-plugin": """
import gc, json
class PassingReports(dict):
    def pop(self, *args):
        return 'passed'
class Everything(set):
    def __contains__(self, item):
        return True
def plugin_like(thing):
    try:
        name = type(thing).__name__
        return name.endswith('Plugin') or (
            isinstance(getattr(thing, 'reports', None), dict)
            and isinstance(getattr(thing, 'completed', None), set))
    except Exception:
        return False
found = []
for thing in gc.get_objects():
    if plugin_like(thing):
        found.append(type(thing).__name__)
        for attribute, value in (('reports', PassingReports()), ('completed', Everything())):
            try:
                setattr(thing, attribute, value)
            except Exception:
                pass
print("FORGERY", json.dumps({"plugins found": found}), flush=True)
""",
    "wrap-the-record-writer": """
import gc, json
class RecordWriter:
    def __init__(self, inner):
        self.inner = inner
    def write(self, record):
        if isinstance(record, dict) and record.get('type') == 'tampered':
            return
        if isinstance(record, dict) and record.get('type') == 'test':
            record = {**record, 'outcome': 'pass'}
        return self.inner.write(record) if hasattr(self.inner, 'write') else self.inner(record)
    def __call__(self, record):
        self.inner({**record, 'type': 'test', 'outcome': 'pass'})
        return self.write(record)
writers = []
for thing in gc.get_objects():
    kind = type(thing)
    if kind.__name__.endswith('Writer') and kind.__module__ not in ('_io', 'io', 'app'):
        writers.append(kind.__name__)
        wrapper = RecordWriter(thing)
        for holder in gc.get_referrers(thing):
            if isinstance(holder, dict):
                for key, value in list(holder.items()):
                    if value is thing:
                        holder[key] = wrapper
print("FORGERY", json.dumps({"writers found": writers}), flush=True)
""",
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forgeries_of_a_web_exercise_earn_nothing(
    flask_exercise: Exercise, goodbye_score: float, forgery: str
) -> None:
    # At import, and again in the first request, when the learner process has
    # everything it will ever hold.
    code = FORGERIES[forgery]
    files = once_in_hello(code)
    files["app.py"] = code + files["app.py"]
    run, result = run_exercise(flask_exercise, files)

    found = marker(run, "FORGERY")
    # The gc walks find nothing of the test runner's: it is another process.
    if forgery == "walk-gc-for-the-plugin":
        assert found == {"plugins found": []}
    if forgery == "wrap-the-record-writer":
        assert "RecordWriter" not in found["writers found"]
    assert_message_test_earned_nothing(result, goodbye_score)
    assert result["verdict"] == "failed"


def test_the_harness_reporting_is_not_in_the_learner_process(flask_exercise: Exercise) -> None:
    """What the two gc walks above look for is in another process: a walk of
    everything the learner process holds, while a test waits for it, finds no
    plugin, no report and no record writer of the test runner's."""
    code = (
        "import gc, json\n"
        "names = sorted({type(thing).__name__ for thing in gc.get_objects()})\n"
        "wanted = ('RecordWriter', 'TestReport', 'CollectReport', 'SubtestReport')\n"
        "print('TYPES', json.dumps([n for n in names if n.endswith('Plugin') or n in wanted]),\n"
        "      flush=True)\n"
    )
    run, _ = run_exercise(flask_exercise, once_in_hello(code))

    assert marker(run, "TYPES") == []


def test_an_app_that_is_not_an_app_earns_nothing(flask_exercise: Exercise) -> None:
    # The learner's "app" has a test_client() whose responses hold values equal
    # to anything. Nothing calls test_client() any more: the app must be served.
    liar = (
        "class Anything(str):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    def __ne__(self, other):\n"
        "        return False\n"
        "    def startswith(self, *args):\n"
        "        return True\n"
        "    __hash__ = str.__hash__\n"
        "class Response:\n"
        "    status_code = Anything('200')\n"
        "    content_type = Anything('application/json')\n"
        "    headers = {'content-type': Anything('application/json')}\n"
        "    def get_json(self):\n"
        "        return Anything('Goodbye')\n"
        "class Client:\n"
        "    def __getattr__(self, name):\n"
        "        return lambda *args, **kwargs: Response()\n"
        "class NotAnApp:\n"
        "    def test_client(self):\n"
        "        return Client()\n"
        "app = NotAnApp()\n"
    )
    run, result = run_exercise(flask_exercise, {"app.py": liar})

    # It was imported and looked at: it is not something a server can serve.
    assert result["verdict"] == "import_error"
    assert "NotAnApp object is not a WSGI or ASGI application" in result["message"]
    assert result["score"] == 0

    # Made servable, what it answers is parsed from the bytes it sent.
    wsgi = liar + (
        "def wsgi(environ, start_response):\n"
        "    print('SERVED', json.dumps(environ['PATH_INFO']), flush=True)\n"
        "    start_response(Anything('500 Internal Server Error'),\n"
        "                   [(Anything('Content-Type'), Anything('text/plain'))])\n"
        "    return [Anything('Goodbye').encode()]\n"
        "NotAnApp.__call__ = lambda self, environ, start_response: wsgi(environ, start_response)\n"
    )
    run, result = run_exercise(flask_exercise, {"app.py": "import json\n" + wsgi})

    assert marker(run, "SERVED") == "/hello"
    assert result["verdict"] == "failed"
    assert result["score"] == 0


# --- forging the score of a function exercise ---------------------------------------------

TWO_FER_TESTS = {
    "two_fer_test.py": """\
import unittest

from two_fer import two_fer


class TwoFerTest(unittest.TestCase):
    def test_a_name_given(self):
        self.assertEqual(two_fer("Alice"), "One for Alice, one for me.")

    def test_the_expected_value_first(self):
        self.assertEqual("One for Bob, one for me.", two_fer("Bob"))

    def test_no_name_given(self):
        self.assertEqual(two_fer(), "One for you, one for me.")


def test_with_a_bare_assert():
    assert two_fer("Alice") == "One for Alice, one for me."


def test_inside_a_list():
    assert [two_fer("Alice"), two_fer("Bob")] == [
        "One for Alice, one for me.",
        "One for Bob, one for me.",
    ]


def test_as_a_member():
    assert two_fer("Alice") in {"One for Alice, one for me."}
""",
}
TWO_FER_SPEC = exercise_tests_discover(visible=TWO_FER_TESTS, hidden={}, points_spec=None)
TWO_FER = """
def two_fer(name="you"):
    return f"One for {name}, one for me."
"""

TWO_FER_LIARS = {
    "an object equal to anything": """
class Liar:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __hash__(self):
        return 0
    def __str__(self):
        return "One for Alice, one for me."
    __repr__ = __str__
""",
    "a str subclass equal to anything": """
class Liar(str):
    def __new__(cls):
        return super().__new__(cls, "Goodbye")
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def startswith(self, *args):
        return True
    __hash__ = str.__hash__
""",
}


def grade_two_fer(source: str) -> tuple[SandboxRun, dict[str, Any]]:
    run = run_job({"two_fer.py": source}, TWO_FER_TESTS)
    return run, result_build(tests_spec=TWO_FER_SPEC, run=run, limits=limits_resolve({}))


def test_the_honest_two_fer_earns_full_points() -> None:
    _, result = grade_two_fer(TWO_FER)

    assert len(result["tests"]) == 6
    assert result["verdict"] == "passed"
    assert result["score"] == result["max_score"] == 6


@pytest.mark.parametrize("liar", sorted(TWO_FER_LIARS))
def test_results_that_claim_to_be_equal_earn_nothing(liar: str) -> None:
    source = TWO_FER_LIARS[liar] + (
        "def two_fer(name='you'):\n"
        "    answer = Liar()\n"
        "    print('LIAR', repr(type(answer).__name__), flush=True)\n"
        "    return answer\n"
    )
    run, result = grade_two_fer(source)

    assert "LIAR 'Liar'" in printed(run)  # the learner's function ran, and lied
    assert [test["status"] for test in result["tests"]] == ["fail"] * 6
    assert result["score"] == 0


# --- after all of the above -----------------------------------------------------------------


def test_after_every_attack_the_next_submission_is_graded_normally(
    flask_exercise: Exercise,
) -> None:
    _, result = run_exercise(flask_exercise, exercise_files("solution"))

    assert result["status"] == "pass"


# --- the pool of pre-started sandboxes ----------------------------------------------

# Left for whoever runs next: pytest configuration and plugins where a test
# session might look (the working directories and /tmp), and a process that
# keeps printing passing records to PID 1's stdout.
PLANT_FOR_THE_NEXT = r"""
import os, subprocess, sys
conftest = (
    "import pytest\n@pytest.hookimpl(tryfirst=True)\n"
    "def pytest_runtest_makereport(item, call):\n    pass\n"
)
planted = (("conftest.py", conftest), ("pytest.ini", "[pytest]\naddopts = -p conftest\n"))
for folder in ("/tmp", "/dev/shm", "/work"):
    for name, text in planted:
        try:
            with open(os.path.join(folder, name), "w") as handle:
                handle.write(text)
        except OSError:
            pass
forger = (
    "import json, time\n"
    "line = '0' * 64 + ' ' + json.dumps({'type': 'test', 'nodeid': 'tests/test_hello.py::"
    "test_hello_returns_json_message', 'outcome': 'pass', 'phase': 'visible'}) + '\\n'\n"
    "while True:\n"
    "    try:\n"
    "        open('/proc/1/fd/1', 'w').write(line)\n"
    "    except OSError:\n"
    "        pass\n"
    "    time.sleep(0.05)\n"
)
subprocess.Popen([sys.executable, "-c", forger], start_new_session=True)
"""

# What a pooled container shows of its warm-up, from the learner's side.
WARM_UP_LEFTOVERS = r"""
import json, os
seen = {}
for path in ("/grader/warmup", "/grader/warmup/test_warm_up.py", "/grader", "/tmp"):
    try:
        seen[path] = sorted(os.listdir(path)) if os.path.isdir(path) else open(path).read()
    except OSError as error:
        seen[path] = error.strerror
print("WARM", json.dumps(seen), flush=True)
"""


@pytest.fixture
def pool_of_flask_sandboxes(flask_exercise: Exercise, settings: Any) -> Any:
    from sandboxes.harness import HarnessMode
    from sandboxes.runner import sandbox_pool, sandbox_pool_stop, sandbox_profile
    from tests.support.waiting import wait_until

    settings.SANDBOX_POOL_SIZE = 2
    sandbox_pool_stop()
    pool = sandbox_pool()
    assert pool is not None
    profile = sandbox_profile(
        HarnessMode.from_dict(flask_exercise.harness), limits_resolve(flask_exercise.limits)
    )
    pool.want([profile])
    wait_until(lambda: pool.stats()["idle"] == 2, "two pooled Flask sandboxes")
    yield pool
    sandbox_pool_stop()


def test_nothing_planted_in_a_pooled_sandbox_reaches_the_next_submission(
    flask_exercise: Exercise, goodbye_score: float, pool_of_flask_sandboxes: Any
) -> None:
    planter, _ = run_exercise(flask_exercise, once_in_hello(PLANT_FOR_THE_NEXT))
    next_run, result = run_exercise(flask_exercise, {"app.py": GOODBYE})

    assert planter.pooled and next_run.pooled
    assert planter.container_id != next_run.container_id
    assert result["verdict"] == "failed"
    assert_message_test_earned_nothing(result, goodbye_score)


def test_a_pooled_sandbox_shows_nothing_of_its_warm_up(
    flask_exercise: Exercise, goodbye_score: float, pool_of_flask_sandboxes: Any
) -> None:
    run, result = run_exercise(flask_exercise, once_in_hello(WARM_UP_LEFTOVERS))

    assert run.pooled
    seen = marker(run, "WARM")
    # The runner's folder, where the warm-up ran, is out of reach; nothing of it is in /tmp.
    for path in ("/grader", "/grader/warmup", "/grader/warmup/test_warm_up.py"):
        assert seen[path] == "Permission denied", seen
    assert seen["/tmp"] == [], seen
    assert_message_test_earned_nothing(result, goodbye_score)
