"""One phase of tests in the learner process, for `isolation: shared` exercises.

The learner process (learner_process.py) imported pytest before the job
arrived and forks this phase with only what the phase may know: the learner's
files and this phase's tests. The supervisor has already compiled the
learner's files and reported any syntax error.

Everything here happens before any learner code runs: output is redirected,
the test sources are snapshot, and pytest is configured
so that nothing in /work can change how it runs (no conftest.py, no ini
file, no cache, no plugins from the environment; the interpreter runs with
-I, so no site customisation either).
"""

import ctypes
import os
import sys
import traceback
from pathlib import Path

import pytest
from lectern_plugin import LecternPlugin, RecordWriter
from runner_report import pytest_args

PR_SET_DUMPABLE = 4
WORK = Path("/work")
ENVIRONMENT = {
    "PATH": "/opt/lectern/venv/bin:/usr/local/bin:/usr/bin:/bin",
    "HOME": str(WORK),
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
}
PYTEST_ARGS = pytest_args(rootdir=WORK, extra=("--noconftest", "-s"))


def phase_child(*, output_fd: int, nonce: bytes, tests_dir: Path) -> int:
    """Run pytest over `tests_dir`; called in the forked child, never returns normally."""
    try:
        status = _run(output_fd, nonce, tests_dir)
    except BaseException:
        traceback.print_exc()
        status = 70
    sys.stdout.flush()
    sys.stderr.flush()
    # Never fall back into the supervisor's code.
    os._exit(status)


def _run(output_fd: int, nonce: bytes, tests_dir: Path) -> int:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(null)
    os.close(output_fd)
    os.chdir(WORK)
    os.environ.clear()
    os.environ.update(ENVIRONMENT)
    # The supervisor is not dumpable and a fork inherits that; this process
    # runs learner code anyway, and must be dumpable to own its /proc files.
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    # A memory bomb should take this process, not the supervisor.
    with open("/proc/self/oom_score_adj", "w") as handle:
        handle.write("1000")

    # Records go to a private copy of stdout, so a learner who closes or
    # redirects fd 1 only loses their own output.
    # The supervisor compiled the learner's files before any phase began.
    writer = RecordWriter(os.dup(1), nonce)
    plugin = LecternPlugin(writer=writer, tests_dir=tests_dir, learner_root=WORK)
    # The learner's modules are imported by name, as when running pytest locally.
    sys.path.insert(0, str(WORK))
    exitstatus = pytest.main([str(tests_dir), *PYTEST_ARGS], plugins=[plugin])
    plugin.session_finished(int(exitstatus))
    return 0
