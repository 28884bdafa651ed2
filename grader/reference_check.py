"""Grading an exercise's own reference solution and starter code, for
`lint_lessons --run` (docs/authoring.md).

An exercise is only as good as its tests. The reference solution must earn
every point, or the tests (or the solution) are wrong. The starter must not
pass already, or there is nothing to do. And the starter must import cleanly:
a learner whose untouched code does not even import sees one import error
instead of the test results that tell them what to write.

Both are graded exactly as a learner's submission is (same sandbox, same
result document), but nothing is stored: this reads an Exercise, never the
database.
"""

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from grader.results import result_build, result_for_failure
from lessons.models import Exercise
from sandboxes.harness import HarnessMode
from sandboxes.limits import limits_resolve
from sandboxes.runner import SandboxFailure, SandboxJob, sandbox_run

# Characters of a test's message quoted in a problem: enough for an assertion.
MESSAGE_CHARS = 160
_STATUS_WORDS = {"fail": "failed", "error": "errored"}


@dataclass(frozen=True)
class ReferenceRun:
    """One grading of a set of files: the result document and how long it took."""

    result: dict[str, Any]
    seconds: float

    @property
    def score(self) -> str:
        return f"{self.result['score']:g}/{self.result['max_score']:g}"


@dataclass(frozen=True)
class ReferenceCheck:
    slug: str
    solution: ReferenceRun
    starter: ReferenceRun
    # What is wrong with the exercise, one sentence each; empty when it is fine.
    problems: list[str]

    @property
    def seconds(self) -> float:
        return self.solution.seconds + self.starter.seconds


def exercise_reference_check(*, exercise: Exercise) -> ReferenceCheck:
    """Grade the exercise's solution and starter in the sandbox and say what is wrong.

    `exercise` need not be saved (lint_lessons builds it from the files).
    Raises SandboxUnavailable when Docker or the image cannot be used.
    """
    solution = _files_grade(exercise=exercise, files=exercise.solution_files)
    # What an untouched editor submits: every accepted file, empty when it has no starter.
    starter_files = {name: exercise.starter_files.get(name, "") for name in exercise.accepted_files}
    starter = _files_grade(exercise=exercise, files=starter_files)
    problems = _solution_problems(solution.result) + _starter_problems(starter.result)
    return ReferenceCheck(slug=exercise.slug, solution=solution, starter=starter, problems=problems)


def exercises_reference_check(
    *, exercises: Sequence[Exercise], workers: int = 2
) -> Iterator[ReferenceCheck]:
    """exercise_reference_check for each exercise, `workers` at a time, yielded in order.

    Each grading mostly waits for its container, so a small pool nearly
    divides the time; more workers than cores only make each run slower.
    """
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reference-check")
    try:
        futures = [
            executor.submit(exercise_reference_check, exercise=exercise) for exercise in exercises
        ]
        for future in futures:
            yield future.result()
    finally:
        # On SandboxUnavailable (or a caller that stops early), start nothing new.
        executor.shutdown(wait=True, cancel_futures=True)


def _files_grade(*, exercise: Exercise, files: dict[str, str]) -> ReferenceRun:
    limits = limits_resolve(exercise.limits)
    job = SandboxJob(
        files=files,
        visible_tests=exercise.visible_test_files,
        hidden_tests=exercise.hidden_test_files,
        limits=limits,
        harness=HarnessMode.from_dict(exercise.harness),
    )
    began = time.monotonic()
    try:
        run = sandbox_run(job)
        result = result_build(tests_spec=exercise.tests, run=run, limits=limits)
    except SandboxFailure as error:
        result = result_for_failure(tests_spec=exercise.tests, message=str(error))
    return ReferenceRun(result=result, seconds=time.monotonic() - began)


def _solution_problems(result: dict[str, Any]) -> list[str]:
    if result["status"] == "pass" and result["score"] == result["max_score"]:
        return []
    stopped = result["verdict"] != "failed"
    failed = [
        f"{test['name']}{' (hidden)' if test['visibility'] == 'hidden' else ''} "
        f"{_STATUS_WORDS.get(test['status'], test['status'])}: {_test_message(test['message'])}"
        for test in result["tests"]
        # When the run stopped (import error, time limit...), the tests it did
        # not get to only say so; the run's message says why.
        if test["status"] != "pass" and not (stopped and test["status"] == "error")
    ]
    detail = "; ".join(([_lines(result["message"])] if stopped else []) + failed)
    return [
        f"reference solution gets {result['score']:g}/{result['max_score']:g} "
        f"({result['verdict']}), not full points: {detail}"
    ]


def _starter_problems(result: dict[str, Any]) -> list[str]:
    if result["status"] == "pass":
        return [
            f"starter code passes every test ({result['score']:g}/{result['max_score']:g}); "
            "it must fail at least one, or there is nothing to do"
        ]
    if result["verdict"] in ("syntax_error", "import_error"):
        return [
            f"starter code does not import cleanly ({result['verdict']}), so a learner would "
            f"see no test results: {_lines(result['message'])}"
        ]
    if not result["gradable"]:
        return [f"starter code cannot be graded ({result['verdict']}): {_lines(result['message'])}"]
    return []


def _test_message(text: str) -> str:
    """The gist of a test's message: pytest's error line and where the test
    failed, or the whole message when it is not a traceback (a hidden test's)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line.removeprefix("E").strip() for line in lines if line.startswith("E ")]
    if not errors:
        return _lines(text)
    where = f" ({lines[0]})" if not lines[0].startswith("E ") else ""
    return _clipped(errors[0] + where, MESSAGE_CHARS)


def _lines(text: str) -> str:
    """A multi-line message on one line (a problem is one line)."""
    joined = " | ".join(line.strip() for line in text.splitlines() if line.strip())
    return _clipped(joined, 2 * MESSAGE_CHARS)


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
