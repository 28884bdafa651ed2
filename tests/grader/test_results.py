"""result_build: from what the harness reported to the learner's result.

These feed hand-made SandboxRun values (the sandbox itself is covered against
the real engine in tests/sandboxes/test_runner.py).
"""

from typing import Any

import pytest

from grader.results import nodeid_test_name, result_build, result_for_failure
from sandboxes.limits import SandboxLimits
from sandboxes.runner import ReportedError, ReportedTest, SandboxRun

LIMITS = SandboxLimits(wall_seconds=10, memory_mb=256, pids=64, cpus=1, output_kb=64)
SPEC = [
    {"name": "test_status", "file": "test_app.py", "points": 1, "visibility": "visible"},
    {"name": "TestJson.test_body", "file": "test_app.py", "points": 2, "visibility": "visible"},
    {
        "name": "test_secret",
        "file": "test_app_hidden.py",
        "points": 3,
        "visibility": "hidden",
        "feedback": "Check the content type.",
    },
]


def record(nodeid: str, outcome: str, phase: str = "visible", **extra: Any) -> ReportedTest:
    fields: dict[str, Any] = {"message": "", "output": "", "duration_ms": 5, "learner_error": None}
    fields.update(extra)
    return ReportedTest(nodeid=nodeid, phase=phase, outcome=outcome, **fields)


def all_passing() -> list[ReportedTest]:
    return [
        record("tests/test_app.py::test_status", "pass"),
        record("tests/test_app.py::TestJson::test_body", "pass"),
        record("tests/test_app_hidden.py::test_secret", "pass", phase="hidden"),
    ]


@pytest.mark.parametrize(
    ("nodeid", "name"),
    [
        ("tests/test_app.py::test_status", "test_status"),
        ("tests/test_app.py::TestJson::test_body", "TestJson.test_body"),
        ("tests/test_app.py::test_add[1-2]", "test_add"),
        ("tests/test_app.py::test_add[a::b]", "test_add"),
    ],
)
def test_names_follow_the_loader(nodeid: str, name: str) -> None:
    assert nodeid_test_name(nodeid) == name


def test_all_passing_is_a_pass_with_full_score_in_exercise_order() -> None:
    run = SandboxRun(tests=list(reversed(all_passing())))
    result = result_build(tests_spec=SPEC, run=run, limits=LIMITS)

    assert result["version"] == 3
    assert result["status"] == "pass"
    assert result["score"] == result["max_score"] == 6
    assert [t["name"] for t in result["tests"]] == [
        "test_status",
        "TestJson.test_body",
        "test_secret",
    ]
    assert set(result["tests"][0]) == {
        "name",
        "status",
        "message",
        "output",
        "points",
        "max_points",
        "visibility",
        "duration_ms",
        "ran",
        "exchanges",
        "comparison",
        "learner_raised",
    }
    assert all(test["ran"] for test in result["tests"])


def test_partial_credit_counts_points_of_passing_tests() -> None:
    tests = all_passing()
    tests[1] = record("tests/test_app.py::TestJson::test_body", "fail", message="assert 1 == 2")
    result = result_build(tests_spec=SPEC, run=SandboxRun(tests=tests), limits=LIMITS)

    assert result["status"] == "fail"
    assert result["score"] == 4
    assert result["message"] == "2 of 3 tests passed."
    assert result["tests"][1]["message"] == "assert 1 == 2"


def test_a_test_without_a_report_earns_nothing() -> None:
    run = SandboxRun(tests=all_passing()[:2])
    result = result_build(tests_spec=SPEC, run=run, limits=LIMITS)

    assert result["tests"][2]["status"] == "error"
    assert result["tests"][2]["points"] == 0
    assert result["score"] == 3
    assert result["status"] == "fail"


def test_reports_for_unknown_tests_are_ignored() -> None:
    run = SandboxRun(tests=[*all_passing(), record("tests/test_app.py::test_bonus", "pass")])
    result = result_build(tests_spec=SPEC, run=run, limits=LIMITS)

    assert [t["name"] for t in result["tests"]] == [spec["name"] for spec in SPEC]
    assert result["score"] == 6


def test_hidden_tests_say_only_the_feedback_and_where_learner_code_raised() -> None:
    tests = all_passing()
    tests[2] = record(
        "tests/test_app_hidden.py::test_secret",
        "fail",
        phase="hidden",
        message="assert response.mimetype == 'application/json'",
        output="printed during the hidden test",
        learner_error={"exception": "KeyError", "location": {"file": "app.py", "line": 7}},
    )
    result = result_build(tests_spec=SPEC, run=SandboxRun(tests=tests), limits=LIMITS)

    hidden = result["tests"][2]
    assert (
        hidden["message"] == "Check the content type.\nYour code raised KeyError at app.py, line 7."
    )
    assert hidden["output"] == ""
    assert hidden["learner_raised"] == {"exception": "KeyError", "file": "app.py", "line": 7}
    assert "mimetype" not in str(result)


def test_parametrized_cases_pass_only_together() -> None:
    spec = [{"name": "test_add", "file": "t.py", "points": 2, "visibility": "visible"}]
    run = SandboxRun(
        tests=[
            record("tests/t.py::test_add[1]", "pass"),
            record("tests/t.py::test_add[2]", "fail", message="case 2"),
        ]
    )
    result = result_build(tests_spec=spec, run=run, limits=LIMITS)

    assert result["tests"][0]["status"] == "fail"
    # One test; its message names each failing case, then the worst case's message.
    assert result["tests"][0]["message"] == "1 of 2 cases failed:\n- [2]: case 2\n\ncase 2"
    assert result["score"] == 0


def test_tampering_forfeits_every_point() -> None:
    run = SandboxRun(status="tampered", detail="Function.runtest", tests=all_passing())
    result = result_build(tests_spec=SPEC, run=run, limits=LIMITS)

    assert result["verdict"] == "tampered"
    assert result["status"] == "error"
    assert result["score"] == 0
    assert "Function.runtest" in result["message"]


def test_a_syntax_error_is_not_an_attempt() -> None:
    error = ReportedError(
        kind="syntax_error",
        phase="visible",
        exception="SyntaxError",
        location={"file": "app.py", "line": 3, "column": 4},
        message="app.py, line 3: invalid syntax",
    )
    result = result_build(tests_spec=SPEC, run=SandboxRun(errors=[error]), limits=LIMITS)

    assert result["verdict"] == "syntax_error"
    assert result["gradable"] is False
    assert result["location"]["line"] == 3
    assert "app.py, line 3" in result["message"]
    assert all(t["status"] == "error" for t in result["tests"])
    assert not any(t["ran"] for t in result["tests"])


def test_a_broken_hidden_test_module_blames_the_exercise_without_showing_it() -> None:
    error = ReportedError(
        kind="collect_error", phase="hidden", exception="NameError", location=None, message=""
    )
    result = result_build(
        tests_spec=SPEC, run=SandboxRun(tests=all_passing()[:2], errors=[error]), limits=LIMITS
    )

    assert result["verdict"] == "test_error"
    assert result["gradable"] is False
    assert "not your code" in result["message"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("timeout", "Time limit of 10 s reached while running test_status"),
        ("memory_limit", "Memory limit of 256 MiB reached while running test_status"),
        ("output_limit", "more than 64 KiB while running test_status"),
        ("crashed", "stopped unexpectedly while running test_status"),
    ],
)
def test_stopped_runs_keep_earlier_points_and_say_where(status: str, expected: str) -> None:
    run = SandboxRun(
        status=status,
        current_test="tests/test_app.py::test_status",
        tests=[record("tests/test_app.py::TestJson::test_body", "pass")],
    )
    result = result_build(tests_spec=SPEC, run=run, limits=LIMITS)

    assert result["status"] == "error"
    assert result["verdict"] == status
    assert expected in result["message"]
    assert result["gradable"] is True
    assert result["score"] == 2
    assert result["tests"][0]["status"] == "error"
    assert [test["ran"] for test in result["tests"]] == [False, True, False]


def test_grader_failure_is_not_the_learners_fault() -> None:
    result = result_for_failure(tests_spec=SPEC, message="the harness broke.")

    assert result["status"] == "error"
    assert result["gradable"] is False
    assert result["max_score"] == 6
    assert "not a problem with your code" in result["message"]


def test_a_test_the_exercise_skips_counts_for_nothing_either_way() -> None:
    spec = [
        {"name": "test_add", "file": "t.py", "points": 2, "visibility": "visible"},
        {"name": "test_extra", "file": "t.py", "points": 3, "visibility": "visible"},
    ]
    run = SandboxRun(
        tests=[
            record("tests/t.py::test_add", "pass"),
            record("tests/t.py::test_extra", "skip", message="extra-credit"),
        ]
    )
    result = result_build(tests_spec=spec, run=run, limits=LIMITS)

    extra = result["tests"][1]
    assert (extra["status"], extra["points"], extra["max_points"]) == ("skip", 0.0, 0.0)
    assert extra["message"] == "skipped by the exercise: extra-credit"
    assert (result["verdict"], result["score"], result["max_score"]) == ("passed", 2.0, 2.0)
    assert result["message"] == "All 1 tests passed (1 skipped by the exercise)."


def test_the_learners_own_traceback_is_shown_with_a_failing_test() -> None:
    spec = [{"name": "test_hello", "file": "t.py", "points": 1, "visibility": "visible"}]
    traceback = "File \"app.py\", line 9, in hello\nNameError: name 'greeting' is not defined"
    failing = record(
        "tests/t.py::test_hello",
        "fail",
        message="assert 500 == 200",
        learner_tracebacks=(traceback,),
    )
    run = SandboxRun(tests=[failing])
    result = result_build(tests_spec=spec, run=run, limits=LIMITS)

    message = result["tests"][0]["message"]
    assert message.startswith("assert 500 == 200\n\nYour code raised an error while the test ran:")
    assert message.endswith(traceback)
    # Where, for the page's "go to" button: the innermost frame of the learner's file.
    assert result["tests"][0]["learner_raised"] == {
        "exception": "NameError",
        "file": "app.py",
        "line": 9,
    }
