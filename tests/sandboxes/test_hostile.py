"""Hostile submissions, under runc and under gVisor (docs/security.md).

Each case ends in a clear verdict for its learner, earns no points the honest
starter would not, and leaks nothing; the next ordinary submission is graded
normally. The cases about forging the score and the container's basic walls
are in test_runner.py.
"""

import threading

import pytest

from lessons.models import Exercise
from sandboxes.runner import ReportedTest
from tests.conftest import exercise_files
from tests.sandboxes.runs import (
    flask_app,
    plain_pytest_score,
    probe_failures,
    run_exercise,
    run_probe,
)

pytestmark = [pytest.mark.docker, pytest.mark.django_db, pytest.mark.usefixtures("runtime")]


def in_hello(code: str) -> dict[str, str]:
    """A Flask app whose GET /hello runs `code` (indented four spaces)."""
    body = "\n".join("    " + line for line in code.strip().splitlines())
    return flask_app(
        f'@app.get("/hello")\ndef hello():\n{body}\n    return {{"message": "Hello, World!"}}\n'
    )


@pytest.fixture
def broken_hello_score(flask_exercise: Exercise) -> float:
    """What an app earns whose GET /hello simply fails: the baseline for in_hello()
    cases, counted by plain pytest, not by the grader under test."""
    return plain_pytest_score(flask_exercise, in_hello("raise RuntimeError('broken')"))


def assert_no_gain(result: dict[str, object], honest: float) -> None:
    assert float(result["score"]) <= honest  # type: ignore[arg-type]
    assert result["status"] != "pass"


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
        "subprocess.Popen([sys.executable, '-c', code], start_new_session=True)\n"
    )
    run, result = run_exercise(flask_exercise, files, wall_seconds=20)

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
import os, pytest

def fill(path, chunk=1024 * 1024):
    written = 0
    with pytest.raises(OSError):
        with open(path, "wb") as handle:
            while written < 512 * 1024 * 1024:
                handle.write(b"x" * chunk)
                handle.flush()
                written += chunk
    return written

@pytest.mark.parametrize("place", ["/work", "/tmp", "/dev/shm"])
def test_one_huge_file_stops_at_the_tmpfs_size(place):
    written = fill(os.path.join(place, "huge"))
    assert written <= 64 * 1024 * 1024
    os.remove(os.path.join(place, "huge"))

def test_many_small_files_stop_too():
    made = 0
    with pytest.raises(OSError):
        while made < 2_000_000:
            with open(f"/work/small-{made}", "wb") as handle:
                handle.write(b"x" * 4096)
            made += 1

@pytest.mark.parametrize("place", ["/", "/opt/lectern", "/etc", "/usr/lib", "/var", "/home"])
def test_nothing_outside_the_work_directories_is_writable(place):
    with pytest.raises(OSError):
        open(os.path.join(place, "intruder"), "w")
"""


def test_filling_the_disk_is_contained(flask_exercise: Exercise) -> None:
    run = run_probe({"probe.py": "x = 1\n"}, PROBE_DISK, wall_seconds=30, memory_mb=512)

    assert probe_failures(run) == {}
    assert len(run.tests) == 10
    # The next submission gets a fresh, empty file system.
    _, result = run_exercise(flask_exercise, exercise_files("solution"))
    assert result["status"] == "pass"


# --- network ----------------------------------------------------------------------------

PROBE_NETWORK = r"""
import socket, pytest

@pytest.mark.parametrize("address", [
    ("172.17.0.1", 2375),      # the Docker host's bridge gateway (and its API port)
    ("172.17.0.1", 80),
    ("169.254.169.254", 80),   # cloud instance metadata
    ("10.0.0.1", 80),
    ("1.1.1.1", 443),
])
def test_no_route_anywhere(address):
    with pytest.raises(OSError):
        socket.create_connection(address, timeout=2)

def test_no_name_resolution():
    with pytest.raises(OSError):
        socket.getaddrinfo("example.com", 80)

def test_udp_goes_nowhere():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(OSError):
            udp.sendto(b"x", ("8.8.8.8", 53))

def test_no_raw_sockets():
    with pytest.raises(OSError):
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)

def test_a_listening_socket_is_only_on_loopback():
    with socket.socket() as server:
        server.bind(("0.0.0.0", 8765))
        server.listen()
        addresses = [name for _, name in socket.if_nameindex()]
        assert addresses == ["lo"]
"""


def test_the_network_is_unreachable() -> None:
    run = run_probe({"probe.py": "x = 1\n"}, PROBE_NETWORK, wall_seconds=30)

    assert probe_failures(run) == {}
    assert len(run.tests) == 9


# --- secrets ------------------------------------------------------------------------------

PROBE_HOST = r"""
import os, pytest

def test_no_docker_socket_or_host_mounts():
    for path in ("/var/run/docker.sock", "/run/docker.sock", "/host", "/root/.ssh"):
        assert not os.path.exists(path) or not os.access(path, os.R_OK)
    mounts = open("/proc/mounts").read()
    assert "docker.sock" not in mounts

def test_only_this_containers_processes_are_visible():
    names = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            names.append(open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0])
        except OSError:
            pass
    assert all(b"dockerd" not in name and b"containerd" not in name for name in names)
    assert len(names) < 10

def test_the_host_is_not_named():
    assert open("/proc/sys/kernel/hostname").read().strip() == "sandbox"

def test_kernel_memory_and_host_files_are_closed():
    for path in ("/proc/kcore", "/dev/mem", "/etc/shadow"):
        with pytest.raises(OSError):
            open(path, "rb").read(1)

def test_cgroups_are_read_only():
    with pytest.raises(OSError):
        open("/sys/fs/cgroup/memory.max", "w").write("max")
    with pytest.raises(OSError):
        open("/sys/fs/cgroup/memory/memory.limit_in_bytes", "w").write("-1")
"""


def test_the_host_stays_out_of_view() -> None:
    run = run_probe({"probe.py": "x = 1\n"}, PROBE_HOST)

    assert probe_failures(run) == {}
    assert len(run.tests) == 5


# How long the writer keeps its secret in place after reporting it: far longer than
# a whole run of the reader takes (about a second), so that only a very slow machine
# could make the reader late, and the test then says so rather than pass.
WRITER_STAYS_SECONDS = 15


def test_two_learners_graded_at_once_cannot_see_each_other() -> None:
    secret = "learner-a-secret-7f19c2"
    writer = r"""
import time
def test_leave_a_secret():
    for place in ("/work/secret.txt", "/tmp/secret.txt", "/dev/shm/secret.txt"):
        open(place, "w").write("SECRET")

def test_keep_it_there():
    time.sleep(STAYS)
""".replace("SECRET", secret).replace("STAYS", str(WRITER_STAYS_SECONDS))
    reader = r"""
import os
def test_look_for_the_other_learner():
    found = []
    for root in ("/work", "/tmp", "/dev/shm", "/proc"):
        for folder, _, names in os.walk(root):
            if folder.startswith("/proc/") and folder.count("/") > 2:
                continue
            for name in names:
                try:
                    if b"SECRET" in open(os.path.join(folder, name), "rb").read(65536):
                        found.append(os.path.join(folder, name))
                except OSError:
                    pass
    assert found == [] or all("/proc/self" in path or "probe" in path for path in found), found
""".replace("SECRET", secret)
    runs = {}
    secret_left = threading.Event()
    writer_done = threading.Event()

    def on_writer_test(test: ReportedTest) -> None:
        if test.nodeid.endswith("::test_leave_a_secret"):
            secret_left.set()

    def write() -> None:
        try:
            runs["writer"] = run_probe(
                {"probe.py": "x = 1\n"},
                writer,
                on_test=on_writer_test,
                wall_seconds=WRITER_STAYS_SECONDS * 2,
            )
        finally:
            writer_done.set()
            secret_left.set()  # never leave the reader waiting

    writing = threading.Thread(target=write)
    writing.start()
    # The reader starts once the writer has reported its secret written, not after
    # a guess at how long a container takes to start.
    secret_left.wait()
    writer_was_there = not writer_done.is_set()
    runs["reader"] = run_probe({"probe.py": "x = 1\n"}, reader, wall_seconds=15)
    writer_stayed = not writer_done.is_set()
    writing.join()

    assert probe_failures(runs["writer"]) == {}
    # The two ran at once: the reader looked while the secret was in place.
    assert writer_was_there and writer_stayed, "the writer ended before the reader had looked"
    assert probe_failures(runs["reader"]) == {}
    assert secret not in runs["reader"].output


# --- forging, beyond test_runner.py --------------------------------------------------------


@pytest.mark.parametrize(
    "trick",
    [
        pytest.param(
            "import sys\n"
            "sys.path.insert(0, '/opt/lectern/harness')\n"
            "import lectern_plugin\n"
            "lectern_plugin.LecternPlugin.outcome_of = lambda self, nodeid: ('pass', '', None)\n",
            id="patch-the-harness",
        ),
        pytest.param(
            "import sys\n"
            "plugin = sys.modules.get('lectern_plugin')\n"
            "if plugin:\n"
            "    plugin.RecordWriter.write = lambda self, record: None\n",
            id="silence-the-harness",
        ),
        pytest.param(
            "import json\n"
            "original = json.dumps\n"
            "json.dumps = lambda obj, **kw: original(\n"
            "    {**obj, 'outcome': 'pass'} if isinstance(obj, dict) else obj, **kw)\n",
            id="patch-the-encoder",
        ),
        pytest.param(
            "import json\n"
            "for place in ('/work/results.json', '/tmp/results.json', '/work/.lectern'):\n"
            "    open(place, 'w').write(json.dumps({'score': 100, 'status': 'pass'}))\n",
            id="write-a-results-file",
        ),
        pytest.param(
            "import glob, os\nfor path in glob.glob('/work/tests/*.py'):\n    os.remove(path)\n",
            id="delete-the-test-files",
        ),
        pytest.param(
            "import os, shutil\n"
            "os.makedirs('/tmp/fake', exist_ok=True)\n"
            "open('/tmp/fake/test_app_hidden.py', 'w').write('def test_x():\\n    pass\\n')\n"
            "shutil.rmtree('/work/tests', ignore_errors=True)\n"
            "os.symlink('/tmp/fake', '/work/tests')\n",
            id="swap-the-tests-for-a-symlink",
        ),
        pytest.param(
            "import os, signal\n"
            "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
            "    if int(pid) not in (os.getpid(),):\n"
            "        try:\n"
            "            os.kill(int(pid), signal.SIGKILL)\n"
            "        except OSError:\n"
            "            pass\n",
            id="kill-every-other-process",
        ),
    ],
)
def test_tricks_against_the_harness_earn_nothing(
    flask_exercise: Exercise, honest_starter_score: float, trick: str
) -> None:
    starter = exercise_files("starter")["app.py"]
    _, result = run_exercise(flask_exercise, {"app.py": trick + starter})

    assert_no_gain(result, honest_starter_score)
    assert result["verdict"] != "grader_error"


def test_after_every_attack_the_next_submission_is_graded_normally(
    flask_exercise: Exercise,
) -> None:
    _, result = run_exercise(flask_exercise, exercise_files("solution"))

    assert result["status"] == "pass"
