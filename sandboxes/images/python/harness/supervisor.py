"""Lectern sandbox supervisor: the container's PID 1, the only process that
speaks to the grader on the host.

Three roles share the container, each in processes of its own:

- this supervisor, root with no capability but SETUID and SETGID (so that it
  can start the others under their own uids) and not dumpable;
- the test runner (test_runner.py, uid 1000): pytest with the exercise's
  tests, unmodified, which alone decides each outcome and reports it to this
  process through a pipe, each record signed with a key learner code never
  sees;
- the learner process (learner_process.py, uid 1001), which runs the learner's
  code: it serves the learner's web app over HTTP (`app:` exercises), or the
  learner's functions to the test runner's stand-in modules (function mode),
  and its stdout and stderr come back here as the learner's output.

Learner code cannot signal, ptrace or read the memory of the other two
(another uid, not dumpable), and cannot write anything they read: the test
runner's files are in /grader, mode 0700. Both helpers are started before the
job is read, so their imports (pytest, httpx, the web framework) overlap with
the container's start-up. Each phase (visible tests, then hidden tests) is a
fresh process forked from each helper.

Protocol (stdin): two messages, each a line with its byte length and then
that many bytes of JSON: first {"key": hex, "files": {...}, "visible_tests":
{...}, "limits": {...}, "harness": {"mode": "function" | "http" | "shared",
"app": "module:attr"}}, then, once this process reports "awaiting_hidden"
after the visible phase, {"hidden_tests": {...}}. Every record on stdout is
"<hmac> <json>" (see Reporter).

Arguments: `--mode function|http|shared --preload a,b`: the harness mode and
the modules the learner process imports before the job arrives (the
exercise's framework).
"""

import contextlib
import ctypes
import importlib
import importlib.util
import json
import os
import secrets
import select
import signal
import socket
import sys
import time
import traceback
from pathlib import Path, PurePosixPath
from typing import Any

HARNESS = Path(__file__).resolve().parent
sys.path.insert(0, str(HARNESS))
from control import Control, close_all  # noqa: E402
from lectern_protocol import (  # noqa: E402
    HostRecord,
    LearnerEvent,
    RunnerRecord,
    file_path,
    signed_line,
    signed_record,
)

PR_SET_DUMPABLE = 4
RUNNER_UID = 1000
LEARNER_UID = 1001
ENVIRONMENT = {
    "PATH": "/opt/lectern/venv/bin:/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
}
# Learner output kept per test and outside tests; the total is capped by the
# job's output limit, beyond which the run is stopped.
OUTPUT_PER_TEST = 4 * 1024
RECORD_MAX = 256 * 1024
EVENT_MAX = 16 * 1024
LEARNER_ERRORS_PER_TEST = 3
# Of each answer in a try session, the body kept for the page.
RESPONSE_BODY_CHARS = 20_000
# Time kept back from the wall limit so the verdict is reported before the
# grader's own hard kill.
WALL_RESERVE = 0.5
# How long a pre-started sandbox waits for its helpers' imports before taking its job.
HELPER_START_SECONDS = 60.0


class Reporter:
    """Writes this process's records to stdout, each signed with the run's key.

    On runc nothing but this process can write to the container's stdout. A
    runtime without that guarantee (gVisor lets a process list /proc/1/fd)
    makes the signature what tells a record from a forgery; the key came in
    the first message, and this process's memory cannot be read by learner
    code on either runtime.
    """

    def __init__(self) -> None:
        self.key = b""
        self.seq = 0
        self.since = time.monotonic()

    def __call__(self, record: dict) -> None:
        self.seq += 1
        # When, since the job arrived: where a run's time goes.
        at_ms = int((time.monotonic() - self.since) * 1000)
        # One write per record, so records never interleave with each other.
        data = signed_line(self.key, {**record, "seq": self.seq, "at_ms": at_ms})
        view = memoryview(data)
        while view:
            view = view[os.write(1, view) :]


report = Reporter()


def make_non_dumpable() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


def read_message() -> dict:
    """One length-prefixed message from stdin, read without buffering ahead,
    so the next message stays in the pipe."""
    header = b""
    while not header.endswith(b"\n"):
        byte = os.read(0, 1)
        if not byte:
            raise ValueError("stdin closed before a message")
        header += byte
    size = int(header)
    body = bytearray()
    while len(body) < size:
        chunk = os.read(0, size - len(body))
        if not chunk:
            raise ValueError(f"message truncated: expected {size} bytes, got {len(body)}")
        body += chunk
    return json.loads(body)


def learner_modules(files: dict[str, str], tests: dict[str, str]) -> list[str]:
    """Top-level modules and packages among the learner's files that tests may import.
    A module the exercise itself ships beside its tests is the exercise's."""
    exercise_own = {PurePosixPath(name).parts[0].removesuffix(".py") for name in tests}
    names = set()
    for name in files:
        parts = file_path(name).parts
        if len(parts) == 1 and parts[0].endswith(".py"):
            names.add(parts[0].removesuffix(".py"))
        elif len(parts) > 1 and parts[-1].endswith(".py") and parts[0].isidentifier():
            names.add(parts[0])
    # The harness's tools for exercises whose learner code is a test suite.
    names.add("learner_tools")
    # A learner file named like a module of the standard library or the image
    # (colorsys.py, httpx.py) must not stand in for it in the tests' imports.
    return sorted(
        name
        for name in names - exercise_own
        if name.isidentifier()
        and name not in sys.stdlib_module_names
        and (name == "learner_tools" or importlib.util.find_spec(name) is None)
    )


def syntax_errors(files: dict[str, str]) -> list[dict[str, Any]]:
    """Compile (never run) the learner's Python files."""
    errors = []
    for name in sorted(files):
        if not name.endswith(".py"):
            continue
        try:
            compile(files[name], name, "exec", dont_inherit=True)
        except (RecursionError, MemoryError, OverflowError) as error:
            errors.append(
                {
                    "type": HostRecord.SYNTAX_ERROR,
                    "exception": type(error).__name__,
                    "location": {"file": name, "line": 1, "column": 0},
                    "message": f"{name}: too deeply nested or too large to compile",
                }
            )
        except SyntaxError as error:
            line = error.lineno or 1
            errors.append(
                {
                    "type": HostRecord.SYNTAX_ERROR,
                    "exception": type(error).__name__,
                    "location": {"file": name, "line": line, "column": error.offset or 0},
                    "message": f"{name}, line {line}: {error.msg}"
                    + (f"\n    {error.text.rstrip()}" if error.text else ""),
                }
            )
        except ValueError as error:  # e.g. NUL bytes in the source
            errors.append(
                {
                    "type": HostRecord.SYNTAX_ERROR,
                    "exception": type(error).__name__,
                    "location": {"file": name, "line": 1, "column": 0},
                    "message": f"{name}: {error}",
                }
            )
    return errors


def reap_children() -> None:
    """Reap whatever has exited: the helpers' orphans are re-parented to PID 1."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def cgroup_counter(candidates: list[tuple[str, str]]) -> int:
    """Read a counter such as oom_kill from the container's cgroup (v1 or v2)."""
    for path, key in candidates:
        with contextlib.suppress(OSError):
            for line in Path(path).read_text().splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == key:
                    return int(parts[1])
    return 0


def cpu_used_ms() -> int:
    """CPU time used by every process of the container so far (cgroup v2 or v1)."""
    usec = cgroup_counter([("/sys/fs/cgroup/cpu.stat", "usage_usec")])
    if usec:
        return usec // 1000
    with contextlib.suppress(OSError, ValueError):
        return int(Path("/sys/fs/cgroup/cpuacct/cpuacct.usage").read_text()) // 1_000_000
    return 0


def oom_kills() -> int:
    return cgroup_counter(
        [
            ("/sys/fs/cgroup/memory.events", "oom_kill"),
            ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill"),
        ]
    )


def pids_limit_hits() -> int:
    return cgroup_counter(
        [("/sys/fs/cgroup/pids.events", "max"), ("/sys/fs/cgroup/pids/pids.events", "max")]
    )


def tasks_count() -> int:
    """Processes and threads in the container. gVisor keeps its limit on them
    to itself (RLIMIT_NPROC), so reaching it can only be seen by counting."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                count += len(os.listdir(f"/proc/{entry}/task"))
    return count


class OutputBudget:
    def __init__(self, limit_bytes: int) -> None:
        self.limit = limit_bytes
        self.used = 0

    def spend(self, size: int) -> bool:
        """Count `size` bytes; False once the budget is exceeded."""
        self.used += size
        return self.used <= self.limit


class Trimmed:
    """Keeps the first `limit` bytes of a stream and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0

    def add(self, data: bytes) -> None:
        room = self.limit - len(self.kept)
        self.kept += data[: max(room, 0)]
        self.dropped += max(len(data) - max(room, 0), 0)

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            text += f"\n… ({self.dropped} more bytes of output not shown)"
        return text


class Helper:
    """One long-lived helper process (the test runner or the learner process),
    started under its own uid, driven through a control socket.

    Forked, not executed: a fresh interpreter would cost a Python start-up on
    the one CPU the run may use. The fork happens before this process has
    read any of the job, so the helper's memory holds nothing of it.
    """

    def __init__(self, module: str, uid: int, args: list[str], stderr: int) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.pid = os.fork()
        if self.pid == 0:
            ours.close()
            status = 70
            try:
                become(uid, keep=theirs.fileno(), stderr=stderr)
                status = importlib.import_module(module).main([str(theirs.fileno()), *args])
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(status)
        theirs.close()
        self.control = Control(ours)


def become(uid: int, *, keep: int, stderr: int) -> None:
    """In a forked helper: drop to `uid` (and with it every capability), keep
    only the control socket and the errors pipe, and take the environment
    learner code may see."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    # The container's stdout is the grader's channel: no helper may hold it.
    os.dup2(stderr, 1)
    os.dup2(stderr, 2)
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)
    os.environ.clear()
    os.environ.update(ENVIRONMENT)
    os.chdir("/")


def start_helpers(
    mode: str, preload: list[str], *, warm_up: bool = False
) -> tuple[Helper | None, Helper, int]:
    """The test runner and the learner process, started side by side; their
    start-up errors (never the learner's output) come back on one pipe. In
    shared mode the tests run in the learner process: no test runner. With
    `warm_up` (a pre-started sandbox that may wait a while) the runner also
    warms pytest up."""
    errors_read, errors_write = os.pipe()
    runner_args = [mode, "warm"] if warm_up else [mode]
    runner = (
        None if mode == "shared" else Helper("test_runner", RUNNER_UID, runner_args, errors_write)
    )
    learner = Helper("learner_process", LEARNER_UID, [",".join(preload)], errors_write)
    os.close(errors_write)
    os.set_blocking(errors_read, False)
    return runner, learner, errors_read


class Phase:
    """One run of one directory of tests: the test runner's session, the
    learner process serving it, and the learner's output in between."""

    def __init__(
        self,
        *,
        name: str,
        deadline: float,
        budget: OutputBudget,
        process_limit: int,
        runner: Helper | None,
        learner: Helper,
    ) -> None:
        self.name = name
        self.hidden = name == "hidden"
        self.deadline = deadline
        self.budget = budget
        self.process_limit = process_limit
        self.most_processes = 0
        self.counted_at = 0.0
        self.runner = runner
        self.learner = learner
        self.key = secrets.token_bytes(32)
        self.next_seq = 1
        self.current: str | None = None
        self.outside = Trimmed(OUTPUT_PER_TEST)
        self.per_test: dict[str, Trimmed] = {}
        self.learner_errors: dict[str, list[dict]] = {}
        self.stopped_because: str | None = None
        self.session_ended = False
        self.learner_code_broken = False
        self.learner_gone = False
        self.tampered: str | None = None
        self.buffers: dict[int, bytes] = {}
        # In shared mode the tests run in the learner process (set by start()).
        self.shared = False
        self.ack_read = self.ack_write = -1
        # A try session's (TrySession): more descriptors for the test runner.
        self.serving = False
        self.runner_extra_fds: list[int] = []

    # --- starting ------------------------------------------------------------

    def start(self, job: dict, tests: dict[str, str]) -> tuple[int, int, int]:
        harness = job.get("harness") or {}
        mode = harness.get("mode", "function")
        files = job.get("files", {})
        self.shared = mode == "shared"
        records_read, records_write = os.pipe()
        self.ack_read, self.ack_write = os.pipe()
        output_read, output_write = os.pipe()
        events_read, events_write = os.pipe()
        runner_end, learner_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        learner_fds = [output_write, events_write, learner_end.fileno()]
        address = ""
        listener = None
        if mode == "http":
            # Listening before the learner process exists: the test runner's
            # first request waits in the backlog until the app is being served.
            address = "\0lectern-http-" + secrets.token_hex(8)
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(address)
            listener.listen(64)
            learner_fds.append(listener.fileno())
        learner_message = {
            "cmd": "phase",
            "phase": self.name,
            "mode": mode,
            "app": str(harness.get("app", "")),
            "files": files,
            "tests": tests if self.shared else {},
            "nonce": self.key.hex() if self.shared else "",
        }
        try:
            self.learner.control.send(
                learner_message,
                fds=learner_fds,
                timeout=max(self.deadline - time.monotonic(), 0.1),
            )
        except OSError:
            # Learner code of the last phase stopped or killed the learner process.
            self.learner_gone = True
        if self.runner is not None:
            self.runner.control.send(
                {
                    "cmd": "phase",
                    "phase": self.name,
                    "key": self.key.hex(),
                    "tests": tests,
                    "mode": mode,
                    "address": address,
                    "learner_modules": learner_modules(files, tests),
                    "serve": self.serving,
                },
                fds=[records_write, runner_end.fileno(), self.ack_read, *self.runner_extra_fds],
            )
        close_all(self.runner_extra_fds)
        for fd in (records_write, output_write, events_write, self.ack_read):
            os.close(fd)
        runner_end.close()
        learner_end.close()
        if listener is not None:
            listener.close()
        for fd in (records_read, output_read, events_read):
            os.set_blocking(fd, False)
        return records_read, output_read, events_read

    # --- running -------------------------------------------------------------

    def run(self, job: dict, tests: dict[str, str]) -> dict:
        oom_before, pids_before = oom_kills(), pids_limit_hits()
        records, output, events = self.start(job, tests)
        if self.learner_gone:
            self.stopped_because = "learner_exited"
        else:
            self.stopped_because = self.pump(records, output, events)
        if not self.stopped_because:
            self.drain(output, events)
        # Whatever learner code left running ends with the phase.
        self.learner.control.request({"cmd": "end"}, timeout=1.0)
        if self.runner is not None:
            self.runner.control.request({"cmd": "end"}, timeout=1.0)
        self.drain(output, events)
        for fd in (records, output, events, self.ack_write):
            os.close(fd)
        reap_children()
        limit_reached = pids_limit_hits() > pids_before or self.most_processes >= self.process_limit
        return self.summary(oom_kills() - oom_before, limit_reached)

    def pump(self, records: int, output: int, events: int) -> str | None:
        """Relay until the test session ends; the reason if it had to be stopped."""
        # In shared mode the tests run in the learner process and speak through its output.
        streams = [output, events, self.learner.control.fileno(), *self.extra_streams()]
        if not self.shared:
            streams.append(records)
        while not self.session_ended:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            ready, _, _ = select.select(streams, [], [], min(remaining, 0.2))
            # Learner output first: what it printed before an answer belongs to that test.
            for fd in (output, events, records):
                if fd not in ready:
                    continue
                data = self.read(fd)
                if data is None:
                    streams.remove(fd)
                    if fd == records:
                        return None  # the test session ended without saying so
                    continue
                if fd == output and not self.learner_output(data):
                    return "output_limit"
                if fd == events:
                    if not self.budget.spend(len(data)):
                        return "output_limit"
                    self.learner_events(data)
                elif fd == records:
                    self.runner_records(data, output, events)
                if self.stopped_because:
                    return self.stopped_because
            for fd in self.extra_streams():
                if fd in ready:
                    self.extra_ready(fd)
            if self.learner.control.fileno() in ready:
                try:
                    messages = self.learner.control.receive_ready()
                except (OSError, ValueError):
                    # Only learner code could have garbled it.
                    messages, self.learner.control.closed = [], True
                for message, fds in messages:
                    close_all(fds)
                    if message.get("exited") and not self.shared:
                        # The runner may have said more than one read took in.
                        while (data := self.read(records)) and not self.stopped_because:
                            self.runner_records(data, output, events)
                    if message.get("exited") and not self.session_ended:
                        self.learner_gone = True
                        if not self.shared:
                            # Its functions and its app are gone: nothing more can pass.
                            return "learner_exited"
                if self.learner.control.closed:
                    # Learner code killed the learner process itself.
                    streams.remove(self.learner.control.fileno())
                    if not self.session_ended:
                        self.learner_gone = True
                        if not self.shared:
                            return "learner_exited"
            if self.shared and self.learner_gone:
                return None
            reap_children()
            self.count_processes()
        return None

    def extra_streams(self) -> list[int]:
        """More descriptors to watch while the phase runs (a try session's stdin)."""
        return []

    def extra_ready(self, fd: int) -> None:
        """One of extra_streams() can be read."""

    def read(self, fd: int) -> bytes | None:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return b""
        return data or None

    def drain(self, output: int, events: int) -> None:
        """Everything already in the learner's pipes (it flushes before it answers)."""
        for fd in (output, events):
            while True:
                data = self.read(fd)
                if not data:
                    break
                if fd == output:
                    if not self.learner_output(data):
                        self.stopped_because = self.stopped_because or "output_limit"
                        return
                else:
                    self.learner_events(data)

    def count_processes(self) -> None:
        now = time.monotonic()
        if now - self.counted_at >= 0.1:
            self.counted_at = now
            self.most_processes = max(self.most_processes, tasks_count())

    # --- what the learner process sends -------------------------------------

    def learner_output(self, data: bytes) -> bool:
        if self.shared:
            return self.shared_output(data)
        if not data:
            return True
        within_budget = self.budget.spend(len(data))
        sink = self.per_test.get(self.current) if self.current else None
        (sink or self.outside).add(data)
        return within_budget

    def learner_events(self, data: bytes) -> None:
        """Tracebacks the learner process saw (request errors, a failed start-up).
        Learner code could write anything here: it only ever adds to messages."""
        for raw in self.lines(-1, data, EVENT_MAX):
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            clean = {
                "exception": str(event.get("exception", ""))[:200],
                "message": str(event.get("message", ""))[:2000],
                "traceback": str(event.get("traceback", ""))[:4000],
                "location": clean_location(event.get("location")),
            }
            if event.get("type") == LearnerEvent.STARTUP_ERROR and not self.learner_code_broken:
                self.learner_code_broken = True
                report(
                    {
                        "type": HostRecord.COLLECT_ERROR,
                        "phase": self.name,
                        "exception": clean["exception"] or "Error",
                        "location": clean["location"] or {"file": "", "line": 0},
                        "message": clean["traceback"] or clean["message"],
                    }
                )
                self.stopped_because = "learner_broken"
            elif event.get("type") == LearnerEvent.LEARNER_ERROR and self.current:
                kept = self.learner_errors.setdefault(self.current, [])
                if len(kept) < LEARNER_ERRORS_PER_TEST:
                    kept.append(clean)

    def lines(self, fd: int, data: bytes, limit: int) -> list[bytes]:
        buffer = self.buffers.get(fd, b"") + data
        *complete, rest = buffer.split(b"\n")
        self.buffers[fd] = rest[-limit:] if len(rest) > limit else rest
        return [line for line in complete if line.strip()]

    # --- what the test runner reports ----------------------------------------

    def runner_records(self, data: bytes, output: int, events: int) -> None:
        for line in self.lines(-2, data, RECORD_MAX):
            record = signed_record(self.key, line)
            if record is None:
                self.tampered = "lines that did not come from the test runner reached its pipe"
                self.stopped_because = "tampered"
                return
            if record.get("seq") != self.next_seq:
                self.tampered = "test runner records were replayed or dropped"
                self.stopped_because = "tampered"
                return
            self.next_seq += 1
            if record.get("type") == RunnerRecord.TEST:
                self.drain(output, events)
                if self.stopped_because:
                    return  # the app did not start: that, not this test, is the news
            self.runner_record(record)

    def runner_record(self, record: dict) -> None:
        kind = record.get("type")
        if kind == RunnerRecord.START:
            self.current = str(record["nodeid"])
            self.per_test[self.current] = Trimmed(OUTPUT_PER_TEST)
            if not self.shared:
                # The test runner waits for this before the test calls learner code.
                with contextlib.suppress(OSError):
                    os.write(self.ack_write, b".")
        elif kind == RunnerRecord.TEST:
            nodeid = str(record["nodeid"])
            output = self.per_test.pop(nodeid, Trimmed(0))
            errors = self.learner_errors.pop(nodeid, [])
            self.current = None
            report(self.test_record(record, output, errors))
        elif kind == RunnerRecord.COLLECT_ERROR:
            if record.get("location"):
                self.learner_code_broken = True
            report(self.error_record(record))
        elif kind == RunnerRecord.SESSION_END:
            self.session_ended = True
        elif kind == RunnerRecord.LEARNER_GONE:
            self.learner_gone = True
            self.stopped_because = "learner_exited"
        elif kind == RunnerRecord.HARNESS_ERROR:
            report(
                {
                    "type": HostRecord.HARNESS_ERROR,
                    "message": f"{record.get('message')}\n{record.get('traceback', '')}",
                }
            )
        elif kind == RunnerRecord.RESPONSE and self.serving:
            report({**clean_response(record), "type": HostRecord.RESPONSE})

    def test_record(self, record: dict, output: Trimmed, learner_errors: list[dict]) -> dict:
        hidden = self.hidden
        learner_error = record.get("learner_error")
        if learner_error is None and learner_errors:
            first = learner_errors[0]
            learner_error = {"exception": first["exception"], "location": first["location"]}
        return {
            "type": HostRecord.TEST,
            "phase": self.name,
            "nodeid": record["nodeid"],
            "outcome": record.get("outcome", "error"),
            "message": "" if hidden else str(record.get("message", "")),
            "learner_error": learner_error,
            # The learner's own tracebacks are theirs to see, hidden test or not.
            "learner_tracebacks": [error["traceback"] for error in learner_errors],
            "exchanges": [] if hidden else list(record.get("exchanges", [])),
            # A hidden test's expected value is the answer: never sent.
            "comparison": None if hidden else record.get("comparison"),
            "output": "" if hidden else output.text(),
            "duration_ms": int(record.get("duration_ms", 0)),
        }

    def error_record(self, record: dict) -> dict:
        clean = {
            "type": record["type"],
            "phase": self.name,
            "exception": record.get("exception", ""),
            "location": record.get("location"),
            "message": str(record.get("message", "")),
        }
        if (
            self.hidden
            and record["type"] == RunnerRecord.COLLECT_ERROR
            and not record.get("location")
        ):
            # An error inside a hidden test module itself: say nothing about its code.
            clean["message"] = ""
        return clean

    # --- shared mode: the tests run in the learner process -------------------

    def shared_output(self, data: bytes) -> bool:
        """Learner output with the harness plugin's records among it, each line
        starting with the phase's marker (learner code could forge them too:
        shared mode gives that up, which is why the exercise has to ask for it)."""
        marker = b"\x1e" + self.key.hex().encode() + b" "
        buffer = self.buffers.get(-3, b"") + data
        self.buffers[-3] = b""
        while buffer:
            start = buffer.find(marker)
            if start == -1:
                keep = len(marker) - 1
                head, tail = (
                    (buffer[:-keep], buffer[-keep:]) if len(buffer) > keep else (b"", buffer)
                )
                self.buffers[-3] = tail
                return self.plain_output(head)
            if not self.plain_output(buffer[:start]):
                return False
            end = buffer.find(b"\n", start)
            if end == -1:
                self.buffers[-3] = buffer[start:][:RECORD_MAX]
                return True
            with contextlib.suppress(ValueError):
                record = json.loads(buffer[start + len(marker) : end])
                self.shared_record(record)
            buffer = buffer[end + 1 :]
        return True

    def plain_output(self, data: bytes) -> bool:
        if not data:
            return True
        within_budget = self.budget.spend(len(data))
        sink = self.per_test.get(self.current) if self.current else None
        (sink or self.outside).add(data)
        return within_budget

    def shared_record(self, record: dict) -> None:
        kind = record.get("type")
        if kind == RunnerRecord.TAMPERED:
            self.tampered = self.tampered or str(record.get("what", "the test runner"))
        elif kind in (HostRecord.SYNTAX_ERROR, RunnerRecord.COLLECT_ERROR):
            if kind == HostRecord.SYNTAX_ERROR or record.get("location"):
                self.learner_code_broken = True
            report(self.error_record(record))
        else:
            self.runner_record(record)

    # --- the end -------------------------------------------------------------

    def summary(self, new_oom_kills: int, limit_reached: bool) -> dict:
        stopped = self.stopped_because
        if self.tampered:
            status = "tampered"
        elif limit_reached and (
            stopped in ("timeout", "output_limit")
            or new_oom_kills
            or self.learner_gone
            or not self.session_ended
        ):
            # A fork bomb usually exhausts memory too, and each failed fork may print a
            # traceback until the output budget is gone: the process limit is the cause.
            status = "process_limit"
        elif stopped in ("timeout", "output_limit"):
            status = stopped
        elif stopped == "learner_broken":
            status = "completed"
        elif new_oom_kills:
            status = "memory_limit"
        elif self.learner_gone or not self.session_ended:
            status = "crashed"
        else:
            status = "completed"
        return {
            "type": HostRecord.PHASE_END,
            "phase": self.name,
            "status": status,
            "current_test": self.current,
            "tampered": self.tampered,
            "oom_kills": new_oom_kills,
            "process_limit_reached": limit_reached,
            "learner_code_broken": self.learner_code_broken,
            "output": "" if self.hidden else self.unreported_output(),
        }

    def unreported_output(self) -> str:
        """Output outside tests, and that of tests stopped before they were reported."""
        parts = [self.outside.text(), *(output.text() for output in self.per_test.values())]
        return "\n".join(part for part in parts if part)


class TrySession(Phase):
    """A try session: the learner's web app served as it is for tests, but the
    requests come from the host, one message each, for as long as the job's
    "serve" says. The test runner relays each to the app over the same socket
    tests use and reports the answer; what the app prints, and the tracebacks
    it raises, go to the host as they come. Nothing is scored."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(name="serve", **kwargs)
        self.serving = True
        requests_read, self.requests_write = os.pipe()
        self.runner_extra_fds = [requests_read]
        self.host_buffer = b""

    def extra_streams(self) -> list[int]:
        return [] if self.session_ended else [0]

    def extra_ready(self, fd: int) -> None:
        """Messages from the host: requests to pass on, or the end."""
        data = self.read(0)
        if data is None:
            self.session_ended = True  # the host has gone
            return
        self.host_buffer += data
        while b"\n" in self.host_buffer:
            header, _, rest = self.host_buffer.partition(b"\n")
            size = int(header)
            if len(rest) < size:
                return
            body, self.host_buffer = rest[:size], rest[size:]
            message = json.loads(body)
            if message.get("end"):
                self.session_ended = True
                return
            request = message.get("request")
            if isinstance(request, dict):
                line = json.dumps(request).encode() + b"\n"
                view = memoryview(line)
                while view:
                    view = view[os.write(self.requests_write, view) :]

    def learner_output(self, data: bytes) -> bool:
        if not data:
            return True
        within_budget = self.budget.spend(len(data))
        report({"type": HostRecord.OUTPUT, "text": data.decode("utf-8", "replace")})
        return within_budget

    def learner_events(self, data: bytes) -> None:
        """A traceback raised in the app goes to the log, as a server would print it."""
        for raw in self.lines(-1, data, EVENT_MAX):
            with contextlib.suppress(ValueError):
                event = json.loads(raw)
                if isinstance(event, dict) and event.get("traceback"):
                    text = str(event["traceback"])[:4000]
                    report({"type": HostRecord.OUTPUT, "text": text, "traceback": True})
                if isinstance(event, dict) and event.get("type") == LearnerEvent.STARTUP_ERROR:
                    self.learner_code_broken = True
                    self.stopped_because = "learner_broken"

    def run(self, job: dict, tests: dict[str, str]) -> dict:
        try:
            return super().run(job, {})
        finally:
            close_all([self.requests_write])


def clean_response(record: dict) -> dict:
    """A try session's answer as the test runner reported it, within bounds."""
    headers = record.get("headers")
    return {
        "id": int(record.get("id") or 0),
        "status": int(record.get("status") or 0),
        "headers": [
            [str(name)[:200], str(value)[:2000]]
            for name, value in (headers if isinstance(headers, list) else [])[:50]
            if isinstance(name, str)
        ],
        "body": str(record.get("body", ""))[:RESPONSE_BODY_CHARS],
        "truncated": bool(record.get("truncated")),
        "error": str(record.get("error", ""))[:2000],
        "ms": int(record.get("ms") or 0),
    }


def clean_location(location: Any) -> dict | None:
    if not isinstance(location, dict):
        return None
    line = location.get("line")
    return {
        "file": str(location.get("file", ""))[:200],
        "line": line if isinstance(line, int) and not isinstance(line, bool) else 0,
    }


def arguments(argv: list[str]) -> tuple[str, list[str], bool, bool]:
    """`--mode M --preload a,b [--pooled 1 [--warm-up 1]]`: the harness mode,
    known before the job (so each helper imports only what it needs), the
    modules the learner process imports ahead, whether the sandbox was started
    ahead of its job, and whether pytest should be warmed up meanwhile."""
    options = dict(zip(argv[::2], argv[1::2], strict=False))
    names = [name for name in options.get("--preload", "").split(",") if name]
    preload = [name for name in names if all(part.isidentifier() for part in name.split("."))]
    pooled = options.get("--pooled") == "1"
    warm_up = pooled and options.get("--warm-up", "1") == "1"
    return options.get("--mode", "function"), preload, pooled, warm_up


def helpers_wait(helpers: list[Helper | None]) -> None:
    """Until each helper has done its imports: a pre-started sandbox takes its
    job only then, so the job's wall time never pays for them."""
    for helper in helpers:
        if helper is not None:
            helper.control.request({"cmd": "ping"}, timeout=HELPER_START_SECONDS)


def main(argv: list[str]) -> int:
    make_non_dumpable()
    # Children are reaped by this process (PID 1); SIGPIPE must not kill it
    # when a helper goes away.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    mode, preload, pooled, warm_up = arguments(argv)
    runner, learner, helper_errors = start_helpers(mode, preload, warm_up=warm_up)
    if pooled:
        helpers_wait([runner, learner])
    job = read_message()
    # The run's clock and its CPU count start with its job: a pre-started
    # sandbox may have waited minutes, and its start-up is nobody's run.
    started = report.since = time.monotonic()
    cpu_before = cpu_used_ms()
    report.key = bytes.fromhex(job["key"])
    limits = job.get("limits", {})
    deadline = started + float(limits.get("wall_seconds", 10)) - WALL_RESERVE
    budget = OutputBudget(int(limits.get("output_kb", 64)) * 1024)

    files = job.get("files", {})
    for name in files:
        file_path(name)
    report({"type": HostRecord.READY, "learner_files": sorted(files)})
    errors = syntax_errors(files)
    for error in errors:
        report({**error, "phase": "visible"})
    serve = job.get("serve")
    if isinstance(serve, dict) and not errors:
        # A try session: its own time limit instead of the tests' wall-clock one.
        session = TrySession(
            deadline=started + float(serve.get("seconds", 60)),
            budget=budget,
            process_limit=int(limits.get("pids", 64)),
            runner=runner,
            learner=learner,
        )
        report({"type": HostRecord.PHASE_START, "phase": "serve"})
        report(session.run(job, {}))
    if errors or isinstance(serve, dict):
        # Nothing (more) can run: the learner's code never starts, or was served.
        report(
            {
                "type": HostRecord.FINISHED,
                "elapsed_ms": int((time.monotonic() - started) * 1000),
                "cpu_ms": cpu_used_ms() - cpu_before,
            }
        )
        return 0
    for name in ("visible", "hidden"):
        if name == "hidden":
            # The grader sends the hidden tests only when asked, after every
            # process of the visible phase is gone.
            report({"type": HostRecord.AWAITING_HIDDEN})
            tests = read_message()["hidden_tests"]
        else:
            tests = job["visible_tests"]
        if not tests:
            continue
        for test_name in tests:
            file_path(test_name)
        report({"type": HostRecord.PHASE_START, "phase": name})
        phase = Phase(
            name=name,
            deadline=deadline,
            budget=budget,
            process_limit=int(limits.get("pids", 64)),
            runner=runner,
            learner=learner,
        )
        outcome = phase.run(job, tests)
        report(outcome)
        # Hidden tests cannot go better than the visible ones when the learner's
        # code does not even import, or when the run was stopped.
        if outcome["status"] != "completed" or outcome["learner_code_broken"]:
            break
    with contextlib.suppress(OSError):
        stray = os.read(helper_errors, 4096)
        if stray:
            sys.stderr.write(stray.decode("utf-8", "replace"))
    report(
        {
            "type": HostRecord.FINISHED,
            "elapsed_ms": int((time.monotonic() - started) * 1000),
            "cpu_ms": cpu_used_ms() - cpu_before,
        }
    )
    return 0


def run(argv: list[str]) -> int:
    """The container's entry point (entrypoint.py): main, and its exit code."""
    try:
        return main(argv)
    except Exception as error:  # the grader turns this into an infrastructure error
        traceback.print_exc()
        if report.key:
            report(
                {"type": HostRecord.HARNESS_ERROR, "message": f"{type(error).__name__}: {error}"}
            )
        return 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
