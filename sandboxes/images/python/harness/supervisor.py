"""Lectern sandbox supervisor: the container's PID 1.

Reads the job from stdin, writes the learner's files to /work, runs the
visible tests and then the hidden tests, each in a process forked for that
phase (child.py), and reports on stdout, one JSON object per line, as things
happen. The grader on the host reads only this process's stdout.

Learner code never runs in this process. It runs in the phase's child, whose
stdout and stderr come back here through a pipe: everything in that pipe is
learner output except lines carrying the phase's nonce, which the harness
plugin in the child writes. This process is non-dumpable, so learner code
(same uid, no capabilities) can neither read its memory nor open its file
descriptors through /proc, and as PID 1 of the container it ignores signals
it has no handler for, so learner code cannot kill it either.

Protocol (stdin): two messages, each a line with its byte length and then
that many bytes of JSON: first {"key": hex, "files": {...}, "visible_tests":
{...}, "limits": {"wall_seconds": s, "output_kb": k}}, then, once this
process reports "awaiting_hidden" after the visible phase, {"hidden_tests":
{...}}: the processes that run the visible tests (forked from this one) never
hold hidden tests. Every record on stdout is "<hmac> <json>" (see Reporter).
"""

import contextlib
import ctypes
import hashlib
import hmac
import json
import os
import secrets
import select
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path, PurePosixPath

HARNESS = Path(__file__).resolve().parent
# Imported before the job is read: pytest's import is paid once, not per phase.
sys.path.insert(0, str(HARNESS))
from child import phase_child  # noqa: E402

WORK = Path("/work")
TESTS = WORK / "tests"
PR_SET_DUMPABLE = 4
# Learner output kept per test and outside tests; the total is capped by the
# job's output limit, beyond which the run is stopped.
OUTPUT_PER_TEST = 4 * 1024
RECORD_MAX = 64 * 1024
# Time kept back from the wall limit so the verdict is reported before the
# grader's own hard kill.
WALL_RESERVE = 0.5


class Reporter:
    """Writes this process's records to stdout, each signed with the run's key.

    On runc nothing but this process can write to the container's stdout. A
    runtime without that guarantee (gVisor lets a process of the same user open
    /proc/1/fd/1) makes the signature what tells a record from a forgery; the
    key came in the first message, read before any learner code existed, and
    this process's memory cannot be read by learner code on either runtime.
    """

    def __init__(self) -> None:
        self.key = b""
        self.seq = 0

    def __call__(self, record: dict) -> None:
        self.seq += 1
        body = json.dumps({**record, "seq": self.seq}).encode()
        mac = hmac.new(self.key, body, hashlib.sha256).hexdigest().encode()
        # One write per record, so records never interleave with each other.
        data = mac + b" " + body + b"\n"
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
    so the next message stays in the pipe (and out of forked children)."""
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


def safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise ValueError(f"refusing file name {name!r}")
    return path


def remove_path(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / safe_relative(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_path(target)
        # O_EXCL|O_NOFOLLOW: never write through something learner code left behind.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)


def kill_everything_else() -> None:
    """SIGKILL every process in the container but this one."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(-1, signal.SIGKILL)


def reap_all(block_for: float) -> None:
    deadline = time.monotonic() + block_for
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.01)


def reap_orphans(keep: int) -> None:
    """Reap processes re-parented to PID 1, but leave `keep` for ForkedChild.wait()."""
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None or info.si_pid == keep:
            return
        os.waitpid(info.si_pid, 0)


def cgroup_counter(candidates: list[tuple[str, str]]) -> int:
    """Read a counter such as oom_kill from the container's cgroup (v1 or v2)."""
    for path, key in candidates:
        with contextlib.suppress(OSError):
            for line in Path(path).read_text().splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == key:
                    return int(parts[1])
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


class ForkedChild:
    """The little of subprocess.Popen a forked phase process needs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


class Phase:
    """One pytest process over one directory of tests."""

    def __init__(
        self, name: str, deadline: float, budget: OutputBudget, process_limit: int
    ) -> None:
        self.name = name
        self.process_limit = process_limit
        self.most_processes = 0
        self.counted_at = 0.0
        self.deadline = deadline
        self.budget = budget
        self.hidden = name == "hidden"
        self.nonce = secrets.token_hex(16).encode()
        self.marker = b"\x1e" + self.nonce + b" "
        self.current: str | None = None
        self.outside = Trimmed(OUTPUT_PER_TEST)
        self.per_test: dict[str, Trimmed] = {}
        self.stopped_because: str | None = None
        self.session_ended = False
        self.learner_code_broken = False
        self.tampered: str | None = None
        self.pending = b""
        self.child_pid = 0

    def run(self, learner_files: list[str]) -> dict:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            phase_child(
                output_fd=write_end, nonce=self.nonce, tests_dir=TESTS, learner_files=learner_files
            )
        os.close(write_end)
        self.child_pid = pid
        child = ForkedChild(pid)
        stream = read_end
        os.set_blocking(stream, False)
        oom_before, pids_before = oom_kills(), pids_limit_hits()
        self.stopped_because = self.pump(child, stream)
        if self.stopped_because:
            kill_everything_else()
        else:
            self.flush_pending()
        returncode = child.wait()
        # Anything the pytest process left behind must not outlive the phase.
        kill_everything_else()
        reap_all(block_for=2.0)
        os.close(stream)
        limit_reached = pids_limit_hits() > pids_before or self.most_processes >= self.process_limit
        return self.summary(returncode, oom_kills() - oom_before, limit_reached)

    def pump(self, child: "ForkedChild", stream: int) -> str | None:
        """Relay the child's output until it exits; the reason if it had to be stopped."""
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            ready, _, _ = select.select([stream], [], [], min(remaining, 0.2))
            # Background processes may keep the pipe open after pytest is gone.
            exited = child.poll() is not None
            while ready:
                try:
                    data = os.read(stream, 65536)
                except BlockingIOError:
                    break
                if not data:
                    return None
                if not self.feed(data):
                    return "output_limit"
                if not exited:
                    break
            if exited:
                return None
            reap_orphans(keep=child.pid)
            self.count_processes()

    def count_processes(self) -> None:
        now = time.monotonic()
        if now - self.counted_at >= 0.1:
            self.counted_at = now
            self.most_processes = max(self.most_processes, tasks_count())

    def feed(self, data: bytes) -> bool:
        buffer = self.pending + data
        self.pending = b""
        while buffer:
            start = buffer.find(self.marker)
            if start == -1:
                # Keep a possible partial marker at the end for the next read.
                keep = len(self.marker) - 1
                head, tail = buffer[:-keep] if len(buffer) > keep else b"", buffer[-keep:]
                if not self.learner_output(head):
                    return False
                self.pending = tail
                return True
            if not self.learner_output(buffer[:start]):
                return False
            end = buffer.find(b"\n", start)
            if end == -1:
                if len(buffer) - start > RECORD_MAX:
                    self.tampered = "an oversized harness record"
                    return True
                self.pending = buffer[start:]
                return True
            self.harness_record(buffer[start + len(self.marker) : end])
            buffer = buffer[end + 1 :]
        return True

    def flush_pending(self) -> None:
        if self.pending and not self.pending.startswith(self.marker):
            self.learner_output(self.pending)
        self.pending = b""

    def learner_output(self, data: bytes) -> bool:
        if not data:
            return True
        within_budget = self.budget.spend(len(data))
        sink = self.per_test.get(self.current) if self.current else None
        (sink or self.outside).add(data)
        return within_budget

    def harness_record(self, raw: bytes) -> None:
        try:
            record = json.loads(raw)
        except ValueError:
            self.tampered = "a malformed harness record"
            return
        # Processes forked by learner code inherit the plugin and its pipe:
        # only the pytest process itself speaks for the tests.
        if record.get("pid") != self.child_pid:
            return
        kind = record.get("type")
        if kind == "start":
            self.current = str(record["nodeid"])
            self.per_test[self.current] = Trimmed(OUTPUT_PER_TEST)
        elif kind == "test":
            nodeid = str(record["nodeid"])
            output = self.per_test.pop(nodeid, Trimmed(0))
            self.current = None
            report(self.test_record(record, output))
        elif kind in ("collect_error", "syntax_error"):
            if kind == "syntax_error" or record.get("location"):
                self.learner_code_broken = True
            report(self.error_record(record))
        elif kind == "tampered":
            self.tampered = self.tampered or str(record.get("what", "the test runner"))
        elif kind == "session_end":
            self.session_ended = True

    def test_record(self, record: dict, output: Trimmed) -> dict:
        hidden = self.hidden
        return {
            "type": "test",
            "phase": self.name,
            "nodeid": record["nodeid"],
            "outcome": record.get("outcome", "error"),
            "message": "" if hidden else str(record.get("message", "")),
            "learner_error": record.get("learner_error"),
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
        if self.hidden and record["type"] == "collect_error" and not record.get("location"):
            # An error inside a hidden test module itself: say nothing about its code.
            clean["message"] = ""
        return clean

    def summary(self, returncode: int, new_oom_kills: int, limit_reached: bool) -> dict:
        if self.tampered:
            status = "tampered"
        elif self.stopped_because:
            status = self.stopped_because
        elif limit_reached and (new_oom_kills or returncode < 0 or not self.session_ended):
            # A fork bomb usually exhausts memory too; the process limit is the cause.
            status = "process_limit"
        elif new_oom_kills:
            status = "memory_limit"
        elif returncode < 0 or not self.session_ended:
            status = "crashed"
        else:
            status = "completed"
        return {
            "type": "phase_end",
            "phase": self.name,
            "status": status,
            "current_test": self.current,
            "returncode": returncode,
            "tampered": self.tampered,
            "oom_kills": new_oom_kills,
            "process_limit_reached": limit_reached,
            "learner_code_broken": self.learner_code_broken,
            "output": "" if self.hidden else self.outside.text(),
        }


def main() -> int:
    started = time.monotonic()
    make_non_dumpable()
    job = read_message()
    report.key = bytes.fromhex(job["key"])
    limits = job.get("limits", {})
    deadline = started + float(limits.get("wall_seconds", 10)) - WALL_RESERVE
    budget = OutputBudget(int(limits.get("output_kb", 64)) * 1024)

    write_files(WORK, job.get("files", {}))
    learner_files = sorted(job.get("files", {}))
    report({"type": "ready", "learner_files": learner_files})
    for name in ("visible", "hidden"):
        if name == "hidden":
            # The grader sends the hidden tests only when asked, after every
            # process of the visible phase is gone: no learner code can be
            # waiting on this process's stdin (reachable through /proc on gVisor).
            report({"type": "awaiting_hidden"})
            tests = read_message()["hidden_tests"]
        else:
            tests = job["visible_tests"]
        if not tests:
            continue
        remove_path(TESTS)
        TESTS.mkdir()
        write_files(TESTS, tests)
        report({"type": "phase_start", "phase": name})
        outcome = Phase(name, deadline, budget, int(limits.get("pids", 64))).run(learner_files)
        report(outcome)
        # Hidden tests cannot go better than the visible ones when the learner's
        # code does not even import, or when the run was stopped.
        if outcome["status"] != "completed" or outcome["learner_code_broken"]:
            break
    report({"type": "finished", "elapsed_ms": int((time.monotonic() - started) * 1000)})
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # the grader turns this into an infrastructure error
        traceback.print_exc()
        if report.key:
            report({"type": "harness_error", "message": f"{type(error).__name__}: {error}"})
        sys.exit(1)
