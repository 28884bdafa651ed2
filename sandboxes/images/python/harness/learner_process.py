"""The learner process: the learner's code, as uid 1001.

Started by the supervisor as the container starts, it imports what the
exercise's code will need (the web framework and its server) before any job
exists, then waits on its control socket. Each phase is a process forked from
this one: it writes the learner's files to /work, and then serves them, to
the test runner's stand-ins (function mode), over HTTP as well (`app:`
exercises), or runs the tests itself (`isolation: shared`, the old way).

Everything this process and its children do is learner code's to change: the
supervisor believes nothing they say about outcomes. At the end of a phase
this process kills every other process of its uid (kill(-1) spares the
caller), so nothing learner code started outlives the phase.

Started by supervisor.py (forked, then main() with the control socket's file
descriptor and the modules to import ahead, comma-separated).
"""

import contextlib
import ctypes
import gc
import importlib
import json
import os
import select
import shutil
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path, PurePosixPath
from typing import Any

HARNESS = Path(__file__).resolve().parent
sys.path.insert(0, str(HARNESS))

import lectern_rpc  # noqa: E402
from control import Control, close_all  # noqa: E402
from lectern_protocol import file_path  # noqa: E402

PR_SET_DUMPABLE = 4
WORK = Path("/work")
ENVIRONMENT = {
    "PATH": "/opt/lectern/venv/bin:/usr/local/bin:/usr/bin:/bin",
    "HOME": str(WORK),
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
}


def preload(names: list[str]) -> None:
    for name in names:
        # A module the image lacks fails later, in the learner's own import.
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def write_files(root: Path, files: dict[str, str]) -> None:
    """The learner's files, fresh: whatever the last phase left is removed first."""
    for entry in root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name, text in files.items():
        target = root / file_path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)


def flush_output() -> None:
    for stream in (sys.stdout, sys.stderr):
        # Learner code may have broken its own streams; answers must still go out.
        with contextlib.suppress(Exception):
            stream.flush()


class EventWriter:
    """Tracebacks for the supervisor, one JSON line each."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        data = json.dumps(event, default=str).encode() + b"\n"
        with self.lock, contextlib.suppress(OSError):
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view) :]


def run_phase(message: dict[str, Any], fds: list[int]) -> None:
    """In the forked phase process; never returns."""
    output_fd, events_fd, rpc_fd, *rest = fds
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(null)
    os.close(output_fd)
    # What the learner prints reaches the pipe at once, in order with answers.
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True, write_through=True)  # type: ignore[attr-defined]
    # Its own /proc files, and a memory bomb takes this process, not a harness one.
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    with open("/proc/self/oom_score_adj", "w") as handle:
        handle.write("1000")
    write_files(WORK, message.get("files", {}))
    os.chdir(WORK)
    os.environ.clear()
    os.environ.update(ENVIRONMENT)
    mode = message.get("mode", "function")
    if mode == "shared":
        os.close(events_fd)
        os.close(rpc_fd)
        shared_phase(message)
    # The learner's modules are imported by name, as when running them locally.
    sys.path.insert(0, str(WORK))
    rpc = socket.socket(fileno=rpc_fd)
    if mode == "http":
        import learner_http

        serving = threading.Thread(
            target=serve_functions, args=(rpc,), name="lectern-functions", daemon=True
        )
        serving.start()
        learner_http.serve_app(
            spec=str(message.get("app", "")),
            listener=socket.socket(fileno=rest[0]),
            report_error=EventWriter(events_fd),
        )
    serve_functions(rpc)
    flush_output()
    os._exit(0)


def serve_functions(rpc: socket.socket) -> None:
    with contextlib.suppress(lectern_rpc.LearnerProcessGone, OSError):
        lectern_rpc.serve_functions(rpc, before_reply=flush_output)


def shared_phase(message: dict[str, Any]) -> None:
    """`isolation: shared`: the tests run here, beside the learner's code."""
    from child import phase_child

    tests_dir = WORK / "tests"
    tests_dir.mkdir()
    for name, text in message.get("tests", {}).items():
        (tests_dir / PurePosixPath(name)).write_text(text, encoding="utf-8")
    phase_child(
        output_fd=os.dup(1),
        nonce=str(message.get("nonce", "")).encode(),
        tests_dir=tests_dir,
    )


def end_phase() -> None:
    """Kill every other process of this uid, and reap this process's children."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(-1, signal.SIGKILL)
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def main(argv: list[str]) -> int:
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    control = Control(socket.socket(fileno=int(argv[0])))
    preload([name for name in (argv[1] if len(argv) > 1 else "").split(",") if name])
    # What is imported now stays put: phase processes forked from this one
    # then do not copy its pages by collecting it.
    gc.freeze()
    worker = 0
    while not control.closed:
        ready, _, _ = select.select([control.sock], [], [], 0.02 if worker else None)
        if worker:
            pid, status = os.waitpid(worker, os.WNOHANG)
            if pid:
                worker = 0
                control.send({"exited": True, "status": os.waitstatus_to_exitcode(status)})
        if not ready:
            continue
        for message, fds in control.receive_ready():
            if message.get("cmd") == "phase":
                worker = os.fork()
                if worker == 0:
                    control.sock.close()
                    try:
                        run_phase(message, fds)
                    except BaseException:
                        traceback.print_exc()  # to the phase's output: it is the learner's
                    finally:
                        os._exit(70)
                close_all(fds)
            elif message.get("cmd") == "end":
                worker = 0
                end_phase()
                control.reply(message, ended=True)
            elif message.get("cmd") == "ping":
                close_all(fds)
                control.reply(message, ready=True)
            else:
                close_all(fds)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
