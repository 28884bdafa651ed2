"""The test runner's pytest plugin: reports each test as pytest decided it.

It decides nothing itself. pytest's own machinery (setup, call, teardown,
skips, xfail, unittest, subtests) sets each report's outcome; this plugin
only folds the reports of one test into one record and writes it to the
supervisor, signed with the phase's key. Learner code never runs in this
process, so nothing here needs guarding against it.
"""

import os
import time
from pathlib import Path
from typing import Any

import pytest
from _pytest import subtests as pytest_subtests
from _pytest._io.saferepr import saferepr
from lectern_protocol import RunnerRecord, signed_line
from lectern_rpc import LearnerProcessGone

MESSAGE_MAX = 3000
PYTEST_INI = Path(__file__).resolve().parent / "pytest.ini"


def pytest_args(*, rootdir: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """pytest's options in both ways of running tests: the harness's own ini
    and root, so that no file of the learner's configures the run, and none of
    the plugins that would print, cache or skip ahead."""
    return [
        "-c",
        str(PYTEST_INI),
        "--rootdir",
        str(rootdir),
        "--import-mode=prepend",
        *extra,
        *("-p", "no:terminal", "-p", "no:cacheprovider"),
        *("-p", "no:stepwise", "-p", "no:pastebin"),
    ]


class RecordWriter:
    """Signed, numbered records on the pipe to the supervisor. The key came
    from the supervisor over a socket no learner process holds.

    After a test's start record it waits for the supervisor's acknowledgement
    on `ack_fd`, so that nothing the learner process prints for the test can
    reach the supervisor before it knows which test is running.
    """

    def __init__(self, fd: int, key: bytes, ack_fd: int | None = None) -> None:
        self.fd = fd
        self.key = key
        self.ack_fd = ack_fd
        self.seq = 0

    def write(self, record: dict[str, Any]) -> None:
        self.seq += 1
        view = memoryview(signed_line(self.key, {**record, "seq": self.seq}))
        while view:
            view = view[os.write(self.fd, view) :]
        if record["type"] == RunnerRecord.START and self.ack_fd is not None:
            os.read(self.ack_fd, 1)


def trim(text: str, limit: int = MESSAGE_MAX) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters)"


def subtests_message(failed: list[pytest.TestReport]) -> str:
    """Which subtests failed, one line each, then each one's traceback."""
    lines = [f"{len(failed)} subtest{'' if len(failed) == 1 else 's'} failed:"]
    details = []
    for report in failed:
        label = subtest_label(report)
        crash = getattr(report.longrepr, "reprcrash", None)
        summary = crash.message if crash is not None else report.longreprtext
        lines.append(f"- {label}: {summary.splitlines()[0] if summary else 'failed'}")
        details.append(f"{label}\n{report.longreprtext}")
    return "\n".join(lines) + "\n\n" + "\n\n".join(details)


def subtest_label(report: pytest.TestReport) -> str:
    """`[message] (name=value, …)`, as given to subTest() or subtests.test()."""
    context = getattr(report, "context", None)
    parts = []
    if context is not None and context.msg is not None:
        parts.append(f"[{context.msg}]")
    if context is not None and context.kwargs:
        parts.append("(" + ", ".join(f"{k}={v}" for k, v in context.kwargs.items()) + ")")
    return " ".join(parts) or "(subtest)"


def report_outcome(
    reports: list[pytest.TestReport], *, call_failure: tuple[str, str] = ("fail", "")
) -> tuple[str, str, pytest.TestReport | None]:
    """(outcome, message, the report that failed) for one test's reports, as
    pytest decided them: a failing setup or teardown is an error, a failing
    call or subtest a failure, a skip a skip, an unexpected pass of an xfail
    test and an expected failure both not a pass. `call_failure` is the
    (outcome, message prefix) of a failing call phase, which for a unittest
    test may be its setUp or tearDown failing."""
    subtests = [r for r in reports if isinstance(r, pytest_subtests.SubtestReport)]
    failed_subtests = [report for report in subtests if report.failed]
    by_phase = {r.when: r for r in reports if not isinstance(r, pytest_subtests.SubtestReport)}
    setup, call, teardown = (by_phase.get(when) for when in ("setup", "call", "teardown"))
    for phase, report in (("setup", setup), ("call", call), ("teardown", teardown)):
        if report is None or not report.failed:
            continue
        kind, prefix = call_failure if phase == "call" else ("error", f"error in test {phase}: ")
        message = prefix + report.longreprtext
        if failed_subtests:
            message = subtests_message(failed_subtests) + "\n\n" + message
        return kind, message, report
    if failed_subtests:
        return "fail", subtests_message(failed_subtests), failed_subtests[0]
    if call is not None and hasattr(call, "wasxfail"):
        # Failed as the exercise expects (or passed without strict=True): like a
        # skip, it counts for nothing either way.
        return "skip", f"expected to fail (xfail) {call.wasxfail}".strip(), None
    if call is None or call.skipped or (setup is not None and setup.skipped):
        reason = ""
        report = call or setup
        if report is not None and isinstance(report.longrepr, tuple):
            # pytest's "Skipped: " says again what the outcome says.
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        return "skip", reason, None
    return "pass", "", None


# How much of each side of a failed `==` is kept: enough for a status, a short
# body or a small dict, as pytest's own message shows them.
COMPARED_CHARS = 240


class ReportPlugin:
    def __init__(self, *, writer: RecordWriter, learner_root: Path, exchanges: Any = None) -> None:
        self.writer = writer
        self.learner_root = learner_root
        self.exchanges = exchanges
        self.reports: dict[str, list[pytest.TestReport]] = {}
        self.started: dict[str, float] = {}
        self.current: str | None = None
        # The last failed `assert got == expected` of each test, as the page's
        # "expected … / got …" (the values as pytest's message shows them).
        self.comparisons: dict[str, dict[str, str]] = {}
        # Where in the learner's files an exception raised by learner code
        # surfaced (the stand-ins carry it over from the learner process).
        self.learner_locations: dict[str, dict[str, Any]] = {}
        self.import_errors: dict[str, str] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.option.tbstyle = "short"

    def pytest_exception_interact(self, node: Any, call: Any, report: Any) -> None:
        error = call.excinfo.value if call.excinfo is not None else None
        if isinstance(error, pytest.Collector.CollectError) and error.__cause__ is not None:
            # pytest words an ImportError of a test module as a CollectError of its own.
            error = error.__cause__
        if isinstance(error, LearnerProcessGone):
            # Learner code ended its own process (os._exit, a signal, the memory
            # limit): that, not this test, is what the run has to say.
            self.writer.write({"type": RunnerRecord.LEARNER_GONE, "nodeid": node.nodeid})
        location = getattr(error, "lectern_learner_location", None)
        if isinstance(location, dict):
            self.learner_locations[node.nodeid] = location
        if error is not None and not isinstance(node, pytest.Item):
            # A module that could not be imported: the exception says why, in
            # fewer words than pytest's report (notes carry the learner's traceback).
            notes = [str(note) for note in getattr(error, "__notes__", ())]
            self.import_errors[node.nodeid] = "\n".join(
                [f"{type(error).__name__}: {error}", *notes]
            )

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not report.failed:
            return
        crash = getattr(report.longrepr, "reprcrash", None)
        exception = crash.message.split(":", 1)[0].strip() if crash is not None else ""
        if not exception:
            # Collection errors are often plain text: "ImportError while importing …".
            text = str(report.longrepr)
            for name in ("ModuleNotFoundError", "ImportError"):
                if f"{name}:" in text:
                    exception = name
                    break
        self.writer.write(
            {
                "type": RunnerRecord.COLLECT_ERROR,
                "nodeid": report.nodeid,
                "exception": exception or "CollectError",
                "location": self.learner_locations.get(report.nodeid),
                "message": trim(self.import_errors.get(report.nodeid) or str(report.longrepr)),
            }
        )

    def pytest_assertrepr_compare(self, op: str, left: object, right: object) -> None:
        # Called by pytest's assertion rewriting for a comparison that failed;
        # the explanation pytest builds is left as it is (this returns None).
        if op == "==" and self.current is not None:
            self.comparisons[self.current] = {
                "got": saferepr(left, maxsize=COMPARED_CHARS),
                "expected": saferepr(right, maxsize=COMPARED_CHARS),
            }

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.current = nodeid
        self.started[nodeid] = time.perf_counter()
        self.reports[nodeid] = []
        self.writer.write({"type": RunnerRecord.START, "nodeid": nodeid})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.reports.setdefault(report.nodeid, []).append(report)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        outcome, message, failed = report_outcome(self.reports.pop(nodeid, []))
        comparison = self.comparisons.pop(nodeid, None)
        self.current = None
        started = self.started.pop(nodeid, time.perf_counter())
        learner_error = None
        location = self.learner_locations.pop(nodeid, None)
        if failed is not None:
            learner_error = self.learner_error(failed, location)
        self.writer.write(
            {
                "type": RunnerRecord.TEST,
                "nodeid": nodeid,
                "outcome": outcome,
                "message": trim(message),
                "learner_error": learner_error,
                "comparison": comparison if outcome == "fail" else None,
                "exchanges": self.exchanges(nodeid) if self.exchanges else [],
                "duration_ms": int((time.perf_counter() - started) * 1000),
            }
        )

    def learner_error(
        self, report: pytest.TestReport, location: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """The exception a failure surfaced as, and where in the learner's files."""
        crash = getattr(report.longrepr, "reprcrash", None)
        exception = crash.message.split(":", 1)[0].strip() if crash is not None else ""
        if location is None and not exception:
            return None
        return {"exception": exception, "location": location}

    def session_finished(self, exitstatus: int) -> None:
        self.writer.write({"type": RunnerRecord.SESSION_END, "exitstatus": exitstatus})
