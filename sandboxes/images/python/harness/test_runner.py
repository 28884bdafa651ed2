"""The test runner: pytest with the exercise's tests, as uid 1000.

Started by the supervisor as the container starts, it imports pytest, the
harness's plugins and, for web exercises, httpx before any job exists (in a
pre-started sandbox it also runs one throwaway pytest session), then waits on
its control socket. Each phase is a process forked from this one, so it starts with all
of that imported: it writes the phase's tests to /grader/tests (mode 0700,
out of reach of learner code), makes the learner's modules importable as
stand-ins whose calls run in the learner process, points the `client`
fixture at the learner's app, and runs pytest.

Started by supervisor.py (forked, then main() with the file descriptor of
the control socket).
"""

import contextlib
import ctypes
import gc
import json
import os
import shutil
import signal
import socket
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

HARNESS = Path(__file__).resolve().parent
sys.path.insert(0, str(HARNESS))
import lectern_rpc  # noqa: E402
import pytest  # noqa: E402
from control import Control, close_all  # noqa: E402
from lectern_protocol import RunnerRecord, file_path  # noqa: E402
from runner_report import RecordWriter, ReportPlugin, pytest_args  # noqa: E402

PR_SET_DUMPABLE = 4
GRADER = Path("/grader")
TESTS = GRADER / "tests"
LEARNER_ROOT = Path("/work")
PYTEST_ARGS = pytest_args(rootdir=GRADER)


def write_tests(tests: dict[str, str]) -> None:
    if TESTS.exists():
        shutil.rmtree(TESTS)
    TESTS.mkdir()
    for name, text in tests.items():
        target = TESTS / file_path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def run_phase(message: dict[str, Any], fds: list[int], http_client: ModuleType | None) -> int:
    """In the forked phase process: run pytest over the phase's tests, or relay
    a try session's requests."""
    records_fd, rpc_fd, ack_fd = fds[:3]
    writer = RecordWriter(records_fd, bytes.fromhex(message["key"]), ack_fd)
    null = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        # What the tests themselves print is not the learner's output.
        os.dup2(null, target)
    os.close(null)
    try:
        write_tests(message["tests"])
        os.chdir(GRADER)
        (GRADER / "tmp").mkdir(exist_ok=True)
        os.environ["HOME"] = str(GRADER)
        os.environ["TMPDIR"] = str(GRADER / "tmp")
        if message.get("serve") and http_client is not None and len(fds) > 3:
            http_client.configure(address=message.get("address", ""))
            relay_requests(writer, fds[3], http_client)
            writer.write({"type": RunnerRecord.SESSION_END, "exitstatus": 0})
            return 0
        rpc = socket.socket(fileno=rpc_fd)
        lectern_rpc.install_standins(rpc, message.get("learner_modules", []))
        plugins: list[Any] = []
        exchanges = None
        if http_client is not None:
            http_client.configure(address=message.get("address", ""))
            plugins.append(http_client)
            exchanges = http_client.take_exchanges
        plugin = ReportPlugin(writer=writer, learner_root=LEARNER_ROOT, exchanges=exchanges)
        exitstatus = pytest.main([str(TESTS), *PYTEST_ARGS], plugins=[plugin, *plugins])
        plugin.session_finished(int(exitstatus))
    except BaseException as error:
        writer.write(
            {
                "type": RunnerRecord.HARNESS_ERROR,
                "message": f"{type(error).__name__}: {error}",
                "traceback": traceback.format_exc()[-3000:],
            }
        )
        return 70
    return 0


# Of a try session's answer, the body passed on; the supervisor keeps less.
RESPONSE_BODY_CHARS = 20_000


def relay_requests(writer: RecordWriter, requests_fd: int, http_client: ModuleType) -> None:
    """A try session: each request the supervisor passes on (a JSON line) goes to
    the learner's app, over the same socket and client that tests use, and its
    answer back as a RESPONSE record, until the supervisor closes the pipe."""
    import httpx

    with (
        os.fdopen(requests_fd, "rb") as requests,
        httpx.Client(**http_client.client_options()) as client,
    ):
        for line in requests:
            request = json.loads(line)
            began = time.perf_counter()
            answer: dict[str, Any] = {"type": RunnerRecord.RESPONSE, "id": request.get("id")}
            try:
                response = client.request(
                    str(request.get("method", "GET")),
                    str(request.get("path", "/")),
                    headers=[tuple(pair) for pair in request.get("headers", [])],
                    content=str(request.get("body", "")).encode(),
                )
                text = response.text
                answer.update(
                    status=response.status_code,
                    headers=list(response.headers.multi_items()),
                    body=text[:RESPONSE_BODY_CHARS],
                    truncated=len(text) > RESPONSE_BODY_CHARS,
                )
            except (httpx.HTTPError, ValueError) as error:
                answer["error"] = str(error) or type(error).__name__
            answer["ms"] = int((time.perf_counter() - began) * 1000)
            writer.write(answer)


def http_client_import() -> ModuleType:
    """The `client` fixture's module, with httpx. httpx's package imports its
    command-line client, which imports click and pygments and then fails on
    rich, which the image lacks: with click refused for that one import, the
    failure comes first and costs nothing."""
    sys.modules["click"] = None  # type: ignore[assignment]
    try:
        import httpx  # noqa: F401
    finally:
        del sys.modules["click"]
    import http_client

    return http_client


def pytest_warm_up() -> None:
    """One throwaway session over a trivial test, for a pre-started sandbox:
    pytest's own start-up (its plugins, hook tables and the first imports of
    its internals) is then paid before the job, and each phase forks with it done."""
    folder = GRADER / "warmup"
    folder.mkdir(exist_ok=True)
    (folder / "test_warm_up.py").write_text("def test_warm_up():\n    assert 1 + 1 == 2\n")
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    for target in (1, 2):
        os.dup2(null, target)
    try:
        pytest.main([str(folder), *PYTEST_ARGS])
    finally:
        for target, fd in zip((1, 2), saved, strict=True):
            os.dup2(fd, target)
        close_all([null, *saved])
        # Nothing of it may show in the real session: --import-mode=prepend put
        # its folder on sys.path and its module in sys.modules.
        sys.path[:] = [entry for entry in sys.path if entry != str(folder)]
        sys.modules.pop("test_warm_up", None)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    control = Control(socket.socket(fileno=int(argv[0])))
    # Imported before any job, so that no phase pays for it; only web exercises need it.
    http_client = http_client_import() if argv[1:2] == ["http"] else None
    if "warm" in argv[2:]:
        pytest_warm_up()
    # What is imported now stays put: phase processes forked from this one
    # then do not copy its pages by collecting it.
    gc.freeze()
    worker = 0
    while (received := control.receive()) is not None:
        message, fds = received
        if message.get("cmd") == "phase":
            worker = os.fork()
            if worker == 0:
                control.sock.close()
                status = 70
                try:
                    status = run_phase(message, fds, http_client)
                finally:
                    os._exit(status)
            close_all(fds)
        elif message.get("cmd") == "end":
            phase_end(worker)
            worker = 0
            control.reply(message, ended=True)
        elif message.get("cmd") == "ping":
            control.reply(message, ready=True)
    return 0


def phase_end(worker: int) -> None:
    """Give the phase process a moment to finish writing, then make sure it is gone."""
    if not worker:
        return
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        pid, _ = os.waitpid(worker, os.WNOHANG)
        if pid:
            return
        time.sleep(0.005)
    with contextlib.suppress(ProcessLookupError):
        os.kill(worker, signal.SIGKILL)
    os.waitpid(worker, 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
