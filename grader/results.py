"""Turns what the sandbox reported into the result document (docs/grading.md, "The result").

The grader decides the score here, on the host: the list of tests and their
points comes from the exercise as loaded by the content loader, never from
the container, so a test the harness did not report as passed earns nothing.
"""

import re
from collections.abc import Iterable
from typing import Any

from grader.vocabulary import ResultStatus, TestStatus, Verdict
from sandboxes.limits import SandboxLimits
from sandboxes.runner import ReportedError, ReportedTest, SandboxRun

RESULT_VERSION = 3
_PARAMETERS = re.compile(r"\[.*\]$")
# A traceback's frame line and its last line: `File "app.py", line 8, in hello`
# and `NameError: name 'greeting' is not defined`.
_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+)', re.MULTILINE)
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")
# Worst first: when parametrized cases of one test disagree, the worst wins.
# What a test that ran reported (the harness's outcomes are TestStatus values).
_RAN = {TestStatus.PASS, TestStatus.FAIL, TestStatus.ERROR}
_FAILED = {TestStatus.FAIL, TestStatus.ERROR}
_STATUS_RANK: dict[str, int] = {
    TestStatus.PASS: 0,
    TestStatus.SKIP: 1,
    TestStatus.FAIL: 2,
    TestStatus.ERROR: 3,
}


def nodeid_test_name(nodeid: str) -> str:
    """`tests/test_app.py::TestX::test_y[1-2]` -> `TestX.test_y` (the loader's naming)."""
    parts = _PARAMETERS.sub("", nodeid).split("::")[1:]
    return ".".join(parts) if parts else nodeid


def _hidden_message(spec: dict[str, Any], records: list[ReportedTest]) -> str:
    """What a learner may learn about a failed hidden test: the instructor's
    feedback, and where and how their own code raised, never the test's code or
    values."""
    lines = [spec.get("feedback") or "This hidden test did not pass."]
    for record in records:
        error = record.learner_error
        if error and error.get("location"):
            location = error["location"]
            lines.append(
                f"Your code raised {error.get('exception') or 'an error'} "
                f"at {location['file']}, line {location['line']}."
            )
            break
    lines.extend(_learner_tracebacks(records))
    return "\n".join(lines)


def _learner_raised(records: list[ReportedTest]) -> dict[str, Any] | None:
    """Where the learner's own code raised while the test ran, for the page to
    jump to: {"exception", "file", "line"}, or None. From the harness's account
    of the error, else from the innermost frame of the learner's own traceback
    (a view that raised while serving the test's request)."""
    for record in records:
        error = record.learner_error
        location = (error or {}).get("location")
        if error and location and location.get("file"):
            return {
                "exception": str(error.get("exception") or "an error"),
                "file": str(location["file"]),
                "line": int(location.get("line") or 1),
            }
    for record in records:
        for traceback in record.learner_tracebacks:
            frames = _FRAME.findall(traceback)
            if frames:
                file, line = frames[-1]
                last = traceback.strip().splitlines()[-1]
                exception = _EXCEPTION.match(last)
                return {
                    "exception": exception.group(1) if exception else "an error",
                    "file": file,
                    "line": int(line),
                }
    return None


def _learner_tracebacks(records: list[ReportedTest]) -> list[str]:
    """Tracebacks raised in the learner's own code (a view answering a request),
    which the test itself only saw as a 500."""
    shown = [tb for record in records for tb in record.learner_tracebacks if tb][:2]
    return [f"Your code raised an error while the test ran:\n{tb}" for tb in shown]


def _cases_message(records: list[ReportedTest]) -> str:
    """A parametrized test is one test: it fails if any case fails, and says which."""
    failing = [
        record for record in records if record.outcome in (TestStatus.FAIL, TestStatus.ERROR)
    ]
    lines = [f"{len(failing)} of {len(records)} cases failed:"]
    for record in failing:
        case = record.nodeid.rsplit("[", 1)[-1].rstrip("]") if "[" in record.nodeid else "?"
        first = record.message.strip().splitlines()[:1] or ["failed"]
        lines.append(f"- [{case}]: {first[0]}")
    return "\n".join(lines)


def result_test_entry(
    spec: dict[str, Any], records: list[ReportedTest], not_run: str
) -> dict[str, Any]:
    """One test of the result. A test the exercise itself skips is shown as
    skipped and counts for nothing either way (max_points 0)."""
    hidden = spec["visibility"] == "hidden"
    max_points = float(spec["points"])
    exchanges: list[dict[str, Any]] = []
    comparison = None
    learner_raised = None
    ran = [record for record in records if record.outcome != TestStatus.SKIP]
    if not records:
        status, message, output, duration = TestStatus.ERROR, not_run, "", 0
    elif not ran:
        status, output = TestStatus.SKIP, ""
        duration = sum(record.duration_ms for record in records)
        reason = records[0].message
        message = "skipped by the exercise" + (f": {reason}" if reason else "")
        max_points = 0.0
    else:
        worst = max(ran, key=lambda record: _STATUS_RANK.get(record.outcome, 3))
        status = TestStatus(worst.outcome) if worst.outcome in _RAN else TestStatus.FAIL
        message = worst.message
        if status != TestStatus.PASS and len(ran) > 1:
            message = _cases_message(ran) + "\n\n" + message
        if status != TestStatus.PASS:
            message = "\n\n".join([message, *_learner_tracebacks(ran)]).strip()
        output = "\n".join(record.output for record in records if record.output)
        duration = sum(record.duration_ms for record in records)
        exchanges = [exchange for record in ran for exchange in record.exchanges]
        if status != TestStatus.PASS:
            learner_raised = _learner_raised(ran)
            comparison = next((record.comparison for record in ran if record.comparison), None)
        if hidden:
            message = "" if status == TestStatus.PASS else _hidden_message(spec, records)
            output = ""
            exchanges = []
            comparison = None
    return {
        "name": spec["name"],
        "status": status,
        "message": message,
        "output": output,
        "points": max_points if status == TestStatus.PASS else 0.0,
        "max_points": max_points,
        "visibility": spec["visibility"],
        "duration_ms": duration,
        "ran": bool(records),
        "exchanges": exchanges,
        "comparison": comparison,
        "learner_raised": learner_raised,
    }


def _group_by_name(records: Iterable[ReportedTest]) -> dict[str, list[ReportedTest]]:
    grouped: dict[str, list[ReportedTest]] = {}
    for record in records:
        grouped.setdefault(nodeid_test_name(record.nodeid), []).append(record)
    return grouped


def _where(test: str | None) -> str:
    return f" while running {nodeid_test_name(test)}" if test else ""


def _blocking_error(run: SandboxRun) -> ReportedError | None:
    """A learner file that does not compile or import stops every test."""
    for error in run.errors:
        if error.kind == "syntax_error":
            return error
    for error in run.errors:
        if error.location or error.exception in ("ImportError", "ModuleNotFoundError"):
            return error
    return None


def result_build(
    *, tests_spec: list[dict[str, Any]], run: SandboxRun, limits: SandboxLimits
) -> dict[str, Any]:
    """The result document, without timings (the caller adds them)."""
    blocking = _blocking_error(run)
    broken_tests = [error for error in run.errors if error is not blocking]
    not_run = {
        "timeout": "Not run: the time limit was reached first.",
        "memory_limit": "Not run: the memory limit was reached first.",
        "output_limit": "Not run: the output limit was reached first.",
        "crashed": "Not run: the test process stopped first.",
        "tampered": "Not run.",
    }.get(run.status, "Not run: its test file could not be loaded.")
    records = _group_by_name(run.tests)
    tests = [result_test_entry(spec, records.get(spec["name"], []), not_run) for spec in tests_spec]

    verdict, message, gradable, location = _verdict(run, blocking, broken_tests, tests, limits)
    if verdict == Verdict.TAMPERED:
        for test in tests:
            test["points"] = 0.0
    score = sum(test["points"] for test in tests)
    max_score = sum(test["max_points"] for test in tests)
    status = {Verdict.PASSED: ResultStatus.PASS, Verdict.FAILED: ResultStatus.FAIL}.get(
        verdict, ResultStatus.ERROR
    )
    return {
        "version": RESULT_VERSION,
        "status": status,
        "verdict": verdict,
        "message": message,
        "location": location,
        "score": score,
        "max_score": max_score,
        "gradable": gradable,
        "output": run.output,
        "tests": tests,
    }


def _verdict(
    run: SandboxRun,
    blocking: ReportedError | None,
    broken_tests: list[ReportedError],
    tests: list[dict[str, Any]],
    limits: SandboxLimits,
) -> tuple[Verdict, str, bool, dict[str, Any] | None]:
    """(verdict, message, gradable, location in the learner's files)."""
    if run.status == "tampered":
        return (
            Verdict.TAMPERED,
            "The submission interfered with the test runner "
            f"({run.detail or 'the harness noticed a change'}). Submissions may not modify "
            "pytest, the tests or the grading harness, so no points were awarded.",
            True,
            None,
        )
    if blocking is not None:
        syntax = blocking.kind == "syntax_error"
        verdict = Verdict.SYNTAX_ERROR if syntax else Verdict.IMPORT_ERROR
        what = "does not compile" if syntax else "could not be imported"
        message = f"Your code {what}, so no test could run.\n{blocking.message}".rstrip()
        return verdict, message, False, blocking.location
    if run.status == "timeout":
        return (
            Verdict.TIMEOUT,
            f"Time limit of {limits.wall_seconds:g} s reached{_where(run.current_test)}. "
            "Look for an infinite loop, a long sleep or a call that waits for input.",
            True,
            None,
        )
    if run.status == "memory_limit":
        return (
            Verdict.MEMORY_LIMIT,
            f"Memory limit of {limits.memory_mb} MiB reached{_where(run.current_test)}. "
            "Look for a data structure that keeps growing.",
            True,
            None,
        )
    if run.status == "output_limit":
        return (
            Verdict.OUTPUT_LIMIT,
            f"Your code printed more than {limits.output_kb} KiB{_where(run.current_test)}, "
            "so the run was stopped. Print less, or not inside a loop.",
            True,
            None,
        )
    if run.status == "crashed":
        return (
            Verdict.CRASHED,
            f"The test process stopped unexpectedly{_where(run.current_test)}. "
            "Did your code call os._exit() or kill its own process?",
            True,
            None,
        )
    if run.pids_limit_hit and any(test["status"] != TestStatus.PASS for test in tests):
        return (
            Verdict.PROCESS_LIMIT,
            f"Your code reached the limit of {limits.pids} processes and threads "
            "(a fork bomb or a runaway loop starting threads?).",
            True,
            None,
        )
    if broken_tests:
        shown = [error.message for error in broken_tests if error.message]
        return (
            Verdict.TEST_ERROR,
            "Some of the exercise's tests could not be loaded; this is a problem with the "
            "exercise, not your code." + ("\n" + shown[0] if shown else ""),
            False,
            None,
        )
    passed = sum(1 for test in tests if test["status"] == TestStatus.PASS)
    counted = sum(1 for test in tests if test["status"] != TestStatus.SKIP)
    skipped = len(tests) - counted
    also = f" ({skipped} skipped by the exercise)" if skipped else ""
    if passed == counted:
        return Verdict.PASSED, f"All {counted} tests passed{also}.", True, None
    return Verdict.FAILED, f"{passed} of {counted} tests passed{also}.", True, None


def _result_not_run(
    *, tests_spec: list[dict[str, Any]], verdict: Verdict, message: str, test_message: str
) -> dict[str, Any]:
    """A result in which no test ran: worth nothing, and not counted as an attempt."""
    tests = [
        {
            "name": spec["name"],
            "status": TestStatus.ERROR,
            "message": test_message,
            "output": "",
            "points": 0.0,
            "max_points": float(spec["points"]),
            "visibility": spec["visibility"],
            "duration_ms": 0,
            "ran": False,
            "exchanges": [],
            "comparison": None,
            "learner_raised": None,
        }
        for spec in tests_spec
    ]
    return {
        "version": RESULT_VERSION,
        "status": ResultStatus.ERROR,
        "verdict": verdict,
        "message": message,
        "location": None,
        "score": 0.0,
        "max_score": sum(test["max_points"] for test in tests),
        "gradable": False,
        "output": "",
        "tests": tests,
    }


def result_for_failure(*, tests_spec: list[dict[str, Any]], message: str) -> dict[str, Any]:
    """The result when the grader itself failed: not the learner's fault, not an attempt."""
    return _result_not_run(
        tests_spec=tests_spec,
        verdict=Verdict.GRADER_ERROR,
        message=f"The grader could not grade this submission: {message} "
        "This is not a problem with your code; please submit again.",
        test_message="Not run.",
    )


def result_for_cancelled(*, tests_spec: list[dict[str, Any]], running: bool) -> dict[str, Any]:
    """The result of a submission its learner withdrew, before grading started or
    while it ran (its container killed): worth nothing, and not an attempt."""
    return _result_not_run(
        tests_spec=tests_spec,
        verdict=Verdict.CANCELLED,
        message=(
            "Cancelled while it was being graded: the run was stopped."
            if running
            else "Cancelled before grading started."
        ),
        test_message="Not run: the submission was cancelled.",
    )
