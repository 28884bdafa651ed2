"""Test suites written as a public track writes them, graded in the real sandbox.

unittest classes not named Test…, setUp, setUpClass and tearDown, self.subTest
loops, pytest's `subtests` fixture, parametrize, fixtures, xfail, skipped
tests, assertRaises with an exception the learner defines, and a helper
module beside the tests, all in function mode: the learner's code runs in the
learner process and the tests reach it through stand-ins. The reference earns
full points, a wrong solution earns exactly what its passing tests are worth,
every failing subtest and case is named, and outcomes are the ones plain
pytest gives (runs.plain_pytest_outcomes, an independent baseline).
"""

from typing import Any

import pytest

from grader.results import result_build
from lessons.exercise_tests import exercise_tests_discover
from sandboxes.harness import HarnessMode
from sandboxes.limits import limits_resolve
from sandboxes.runner import SandboxJob, SandboxRun, sandbox_run
from tests.sandboxes.runs import plain_pytest_outcomes, printed

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("runtime")]

STACK_TEST = """\
import unittest

from stack import Stack, StackUnderflowError
from stack_helpers import filled


class StackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pushed = [1, 2, 3]

    def setUp(self):
        self.stack = Stack()

    def tearDown(self):
        self.stack = None

    def test_push_then_pop(self):
        for value in self.pushed:
            self.stack.push(value)
        self.assertEqual(self.stack.pop(), 3)

    def test_pop_from_empty_raises_underflow(self):
        with self.assertRaises(StackUnderflowError) as caught:
            self.stack.pop()
        self.assertEqual(caught.exception.args[0], "pop from an empty stack")

    def test_size_counts_pushes(self):
        for count in range(4):
            with self.subTest(count=count):
                self.assertEqual(filled(Stack(), count).size(), count)
"""

STACK_HELPERS = """\
def filled(stack, count):
    for value in range(count):
        stack.push(value)
    return stack
"""

PARITY_TEST = """\
from stack import is_even


def test_even_numbers_are_even(subtests):
    for number in (0, 2, 4, 6):
        with subtests.test(msg="even", number=number):
            assert is_even(number)
"""

SOLUTION = """\
class StackUnderflowError(Exception):
    pass


class Stack:
    def __init__(self):
        self.items = []

    def push(self, value):
        self.items.append(value)

    def pop(self):
        if not self.items:
            raise StackUnderflowError("pop from an empty stack")
        return self.items.pop()

    def size(self):
        return len(self.items)


def is_even(number):
    return number % 2 == 0
"""

# pop() on an empty stack raises IndexError, size() stops counting at 2, and
# is_even() knows only 0: one test in four passes.
WRONG = (
    SOLUTION.replace("        if not self.items:\n", "")
    .replace('            raise StackUnderflowError("pop from an empty stack")\n', "")
    .replace("return len(self.items)", "return min(len(self.items), 2)")
    .replace("return number % 2 == 0", "return number == 0")
)

VISIBLE = {"stack_test.py": STACK_TEST, "stack_helpers.py": STACK_HELPERS}
HIDDEN = {"test_parity.py": PARITY_TEST}
SPEC = exercise_tests_discover(
    visible=VISIBLE,
    hidden=HIDDEN,
    points_spec={"StackTest.test_size_counts_pushes": 2},
)


FUNCTION_MODE = HarnessMode(mode="function")


def job_run(
    files: dict[str, str],
    visible: dict[str, str],
    hidden: dict[str, str] | None = None,
    harness: HarnessMode = FUNCTION_MODE,
) -> SandboxRun:
    job = SandboxJob(
        files=files,
        visible_tests=visible,
        hidden_tests=hidden or {},
        limits=limits_resolve({}),
        harness=harness,
    )
    return sandbox_run(job)


def grade(files: dict[str, str]) -> tuple[SandboxRun, dict[str, Any]]:
    run = job_run(files, VISIBLE, HIDDEN)
    return run, result_build(tests_spec=SPEC, run=run, limits=limits_resolve({}))


def outcomes_of(run: SandboxRun) -> dict[str, str]:
    """{test name as the grader names it: outcome in plain pytest's words}."""
    words = {"pass": "passed", "fail": "failed", "error": "error", "skip": "skipped"}
    outcomes: dict[str, str] = {}
    for test in run.tests:
        name = ".".join(test.nodeid.split("[")[0].split("::")[1:])
        if outcomes.get(name, "passed") == "passed":
            outcomes[name] = words[test.outcome]
    return outcomes


def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {test["name"]: test for test in result["tests"]}


def test_the_loader_lists_the_unittest_class_and_the_fixture_test() -> None:
    assert [test["name"] for test in SPEC] == [
        "StackTest.test_push_then_pop",
        "StackTest.test_pop_from_empty_raises_underflow",
        "StackTest.test_size_counts_pushes",
        "test_even_numbers_are_even",
    ]


def test_the_reference_gets_full_points() -> None:
    run, result = grade({"stack.py": SOLUTION})

    assert [(test.nodeid, test.outcome) for test in run.tests if test.outcome != "pass"] == []
    assert result["verdict"] == "passed", result
    assert result["score"] == result["max_score"] == 5
    assert outcomes_of(run) == plain_pytest_outcomes({"stack.py": SOLUTION}, {**VISIBLE, **HIDDEN})


def test_a_wrong_solution_gets_the_points_of_its_passing_tests() -> None:
    run, result = grade({"stack.py": WRONG})
    tests = by_name(result)

    assert {name: test["status"] for name, test in tests.items()} == {
        "StackTest.test_push_then_pop": "pass",
        "StackTest.test_pop_from_empty_raises_underflow": "fail",
        "StackTest.test_size_counts_pushes": "fail",
        "test_even_numbers_are_even": "fail",
    }
    assert result["verdict"] == "failed"
    assert result["score"] == 1
    assert result["max_score"] == 5
    assert "IndexError" in tests["StackTest.test_pop_from_empty_raises_underflow"]["message"]
    # One subtest of four failed, and the message says which.
    size = tests["StackTest.test_size_counts_pushes"]["message"]
    assert size.startswith("1 subtest failed:\n- (count=3): AssertionError: 2 != 3")
    assert "(count=2)" not in size
    # A hidden test names nothing of its subtests; the run itself does.
    assert tests["test_even_numbers_are_even"]["message"] == "This hidden test did not pass."
    assert outcomes_of(run) == plain_pytest_outcomes({"stack.py": WRONG}, {**VISIBLE, **HIDDEN})


def test_failing_fixture_subtests_are_each_named() -> None:
    (test,) = job_run({"stack.py": WRONG}, {"test_parity.py": PARITY_TEST}).tests

    assert test.outcome == "fail"
    assert test.message.startswith("3 subtests failed:\n")
    for number in (2, 4, 6):
        assert f"- [even] (number={number}): assert False" in test.message
        assert f"where False = is_even({number})" in test.message
    assert "(number=0)" not in test.message


LIFECYCLE_TEST = """\
import asyncio
import unittest


class Passes(unittest.TestCase):
    def test_passes(self):
        self.assertTrue(True)

    def test_fails(self):
        self.assertEqual(1, 2, "one is not two")


class SetUpBreaks(unittest.TestCase):
    def setUp(self):
        raise RuntimeError("setUp broke")

    def test_never_runs(self):
        pass


class TearDownBreaks(unittest.TestCase):
    def tearDown(self):
        raise RuntimeError("tearDown broke")

    def test_runs(self):
        pass


class SetUpClassBreaks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise RuntimeError("setUpClass broke")

    def test_never_runs(self):
        pass


class AsyncCase(unittest.IsolatedAsyncioTestCase):
    async def test_async_passes(self):
        await asyncio.sleep(0)

    async def test_async_fails(self):
        await asyncio.sleep(0)
        self.assertEqual(1, 2)


class Skipped(unittest.TestCase):
    @unittest.skip("extra-credit")
    def test_extra(self):
        raise AssertionError("skipped tests do not run")
"""


def test_unittest_outcomes_are_reported_as_pytest_decides_them() -> None:
    run = job_run({}, {"lifecycle_test.py": LIFECYCLE_TEST})
    outcomes = {test.nodeid.split("::", 1)[1]: (test.outcome, test.message) for test in run.tests}

    # unittest runs setUp and tearDown inside the test itself, so pytest counts
    # their errors as the test's failure; setUpClass is a class-level setup, an error.
    assert {name: outcome for name, (outcome, _) in outcomes.items()} == {
        "Passes::test_passes": "pass",
        "Passes::test_fails": "fail",
        "SetUpBreaks::test_never_runs": "fail",
        "TearDownBreaks::test_runs": "fail",
        "SetUpClassBreaks::test_never_runs": "error",
        "AsyncCase::test_async_passes": "pass",
        "AsyncCase::test_async_fails": "fail",
        "Skipped::test_extra": "skip",
    }
    assert outcomes_of(run) == plain_pytest_outcomes({}, {"lifecycle_test.py": LIFECYCLE_TEST})
    assert "one is not two" in outcomes["Passes::test_fails"][1]
    assert "setUp broke" in outcomes["SetUpBreaks::test_never_runs"][1]
    assert "tearDown broke" in outcomes["TearDownBreaks::test_runs"][1]
    assert "setUpClass broke" in outcomes["SetUpClassBreaks::test_never_runs"][1]
    assert outcomes["Skipped::test_extra"][1] == "extra-credit"
    # A test the exercise skips is shown as skipped and left out of the maximum.
    spec = exercise_tests_discover(
        visible={"lifecycle_test.py": LIFECYCLE_TEST}, hidden={}, points_spec=None
    )
    result = result_build(tests_spec=spec, run=run, limits=limits_resolve({}))
    skipped = by_name(result)["Skipped.test_extra"]
    assert (skipped["status"], skipped["message"], skipped["points"], skipped["max_points"]) == (
        "skip",
        "skipped by the exercise: extra-credit",
        0,
        0,
    )
    assert result["max_score"] == len(spec) - 1


SHAPES_TEST = """\
import pytest

from stack import Stack, is_even


@pytest.fixture
def stack():
    return Stack()


@pytest.mark.parametrize("number", [0, 2, 4, 6])
def test_even_numbers(number):
    assert is_even(number)


class TestStackWithFixtures:
    def test_push_then_pop(self, stack):
        stack.push(5)
        assert stack.pop() == 5


def test_a_size_the_learner_cannot_fake(stack):
    assert stack.size() == 0 and type(stack.size()) is int


@pytest.mark.skip(reason="extra-credit")
def test_extra_credit(stack):
    assert stack.size() == 42
"""

XFAIL_TEST = """\
import pytest

from stack import is_even


@pytest.mark.xfail(reason="odd numbers are not asked for")
def test_three_is_even():
    assert is_even(3)


@pytest.mark.xfail(strict=True, reason="strict: a pass is a failure")
def test_two_is_not_even():
    assert is_even(2)
"""


def test_parametrize_fixtures_and_a_skipped_extra_credit_test() -> None:
    visible = {"test_shapes.py": SHAPES_TEST}
    spec = exercise_tests_discover(visible=visible, hidden={}, points_spec=None)
    assert [test["name"] for test in spec] == [
        "test_even_numbers",
        "TestStackWithFixtures.test_push_then_pop",
        "test_a_size_the_learner_cannot_fake",
        "test_extra_credit",
    ]

    run = job_run({"stack.py": SOLUTION}, visible)
    result = result_build(tests_spec=spec, run=run, limits=limits_resolve({}))
    # The reference reaches full points: the skipped test counts for nothing.
    assert result["verdict"] == "passed", result["message"]
    assert result["score"] == result["max_score"] == 3
    assert by_name(result)["test_extra_credit"]["status"] == "skip"
    assert outcomes_of(run) == plain_pytest_outcomes({"stack.py": SOLUTION}, visible)

    run = job_run({"stack.py": WRONG}, visible)
    result = result_build(tests_spec=spec, run=run, limits=limits_resolve({}))
    # One test by name, failing if any case fails, each failing case named.
    even = by_name(result)["test_even_numbers"]
    assert (even["status"], even["points"]) == ("fail", 0)
    assert even["message"].startswith("3 of 4 cases failed:\n- [2]: ")
    assert "- [4]: " in even["message"] and "- [6]: " in even["message"]
    assert "- [0]" not in even["message"]
    assert result["score"] == 2
    assert outcomes_of(run) == plain_pytest_outcomes({"stack.py": WRONG}, visible)


# Both ways of running the tests decide outcomes with one function
# (runner_report.report_outcome), so shared mode once counting an xfail as a
# failure is a drift this keeps from coming back.
@pytest.mark.parametrize(
    "harness", [FUNCTION_MODE, HarnessMode(mode="shared")], ids=["function", "shared"]
)
def test_xfail_tests_earn_nothing_and_do_not_count_against_the_reference(
    harness: HarnessMode,
) -> None:
    """An xfail test that fails is what the exercise expects (pytest: xfailed,
    the suite passes); a strict xfail test that passes is a failure (pytest:
    failed). Neither earns points; only the strict one counts against the score."""
    visible = {"test_xfail.py": XFAIL_TEST}
    spec = exercise_tests_discover(visible=visible, hidden={}, points_spec=None)
    run = job_run({"stack.py": SOLUTION}, visible, harness=harness)
    result = result_build(tests_spec=spec, run=run, limits=limits_resolve({}))

    assert plain_pytest_outcomes({"stack.py": SOLUTION}, visible) == {
        "test_three_is_even": "xfailed",
        "test_two_is_not_even": "failed",
    }
    tests = by_name(result)
    assert tests["test_two_is_not_even"]["status"] == "fail"
    assert tests["test_two_is_not_even"]["max_points"] == 1
    assert tests["test_three_is_even"]["points"] == 0
    assert tests["test_three_is_even"]["max_points"] == 0
    assert result["score"] == 0
    assert result["max_score"] == 1


CLOCK_TEST = """\
import unittest

from clock import Clock


class ClockTest(unittest.TestCase):
    def test_shows_hours_and_minutes(self):
        self.assertEqual(str(Clock(8, 0)), "08:00")

    def test_adds_minutes(self):
        self.assertEqual(Clock(10, 0) + 61, Clock(11, 1))

    def test_rolls_over_midnight(self):
        self.assertEqual(str(Clock(23, 59) + 2), "00:01")

    def test_equal_clocks(self):
        self.assertEqual(Clock(15, 37), Clock(15, 37))

    def test_different_clocks(self):
        self.assertNotEqual(Clock(15, 36), Clock(15, 37))
"""

CLOCK = """\
class Clock:
    def __init__(self, hour, minute):
        self.minutes = (hour * 60 + minute) % (24 * 60)

    def __str__(self):
        return f"{self.minutes // 60:02d}:{self.minutes % 60:02d}"

    def __repr__(self):
        return f"Clock({self.minutes // 60}, {self.minutes % 60})"

    def __eq__(self, other):
        return isinstance(other, Clock) and self.minutes == other.minutes

    def __add__(self, minutes):
        return Clock(0, self.minutes + minutes)
"""


def test_a_class_based_exercise_with_str_eq_and_add() -> None:
    # Learner objects are handles: str(), ==, != and + run in the learner process.
    visible = {"clock_test.py": CLOCK_TEST}
    spec = exercise_tests_discover(visible=visible, hidden={}, points_spec=None)
    run = job_run({"clock.py": CLOCK}, visible)
    result = result_build(tests_spec=spec, run=run, limits=limits_resolve({}))

    assert result["verdict"] == "passed", result["message"]
    assert result["score"] == result["max_score"] == 5
    assert outcomes_of(run) == plain_pytest_outcomes({"clock.py": CLOCK}, visible)
    # Without the roll-over, one test fails, as plain pytest says.
    broken = CLOCK.replace(" % (24 * 60)", "")
    run = job_run({"clock.py": broken}, visible)
    assert outcomes_of(run) == plain_pytest_outcomes({"clock.py": broken}, visible)
    assert [test.outcome for test in run.tests].count("fail") == 1


SKIPPING_SOLUTION = """\
import unittest

import pytest


def skipped_by_pytest():
    pytest.skip("not today")


def skipped_by_unittest():
    raise unittest.SkipTest("not today either")
"""

SKIPPING_TEST = """\
import unittest

from skipping import skipped_by_pytest, skipped_by_unittest


def test_pytest_skip():
    skipped_by_pytest()


class SkippingTest(unittest.TestCase):
    def test_unittest_skip(self):
        skipped_by_unittest()
"""


def test_a_skip_raised_while_learner_code_runs_counts_as_a_failure() -> None:
    visible = {"test_skipping.py": SKIPPING_TEST}
    spec = exercise_tests_discover(visible=visible, hidden={}, points_spec=None)
    run = job_run({"skipping.py": SKIPPING_SOLUTION}, visible)
    result = result_build(tests_spec=spec, run=run, limits=limits_resolve({}))

    assert [(test["status"], test["max_points"]) for test in result["tests"]] == [
        ("fail", 1),
        ("fail", 1),
    ]
    assert "not today" in result["tests"][0]["message"]
    assert "not today either" in result["tests"][1]["message"]
    assert result["score"] == 0


# --- unittest's and pytest's deciding parts are out of learner code's reach ----------

# Each trick prints its marker once it has done its work, so a trick that broke
# before doing anything cannot pass for one that was stopped. They change what
# decides outcomes in the process they run in: the learner's, where no test runs.
TRICKS = {
    "patched assertion": """
import unittest
unittest.TestCase.assertEqual = lambda self, *args, **kwargs: None
print("TRICK-RAN", "unittest.TestCase.assertEqual", flush=True)
""",
    "assertion shadowed on the running test case": """
import sys, unittest
def pop_hook():
    frame, shadowed = sys._getframe(1), []
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, unittest.TestCase):
            candidate.assertEqual = lambda *args, **kwargs: None
            shadowed.append(type(candidate).__name__)
        frame = frame.f_back
    print("TRICK-RAN", "test cases on the stack:", shadowed, flush=True)
""",
    "failing reports made to pass by a property on TestReport": """
import _pytest.reports
_pytest.reports.TestReport.failed = property(lambda self: False)
_pytest.reports.TestReport.passed = property(lambda self: True)
print("TRICK-RAN", "_pytest.reports.TestReport", flush=True)
""",
    "test method replaced on its class": """
import gc
def pop_hook():
    replaced = []
    for thing in gc.get_objects():
        if isinstance(thing, type) and thing.__name__ == "StackTest":
            thing.test_pop_from_empty_raises_underflow = lambda self: None
            replaced.append(thing.__module__)
    print("TRICK-RAN", "StackTest classes found:", replaced, flush=True)
""",
}


def wrong_outcomes(run: SandboxRun, result: dict[str, Any]) -> None:
    """What WRONG earns, no more: the trick changed nothing the tests rely on."""
    assert run.status == "completed", (run.status, run.detail)
    assert {name: test["status"] for name, test in by_name(result).items()} == {
        "StackTest.test_push_then_pop": "pass",
        "StackTest.test_pop_from_empty_raises_underflow": "fail",
        "StackTest.test_size_counts_pushes": "fail",
        "test_even_numbers_are_even": "fail",
    }
    assert result["verdict"] == "failed"
    assert result["score"] == 1


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_unittest_tricks_earn_nothing(trick: str) -> None:
    # The wrong solution, with a call of pop_hook() at the start of pop().
    files = {
        "stack.py": TRICKS[trick]
        + WRONG.replace(
            "def pop(self):\n",
            "def pop(self):\n        if 'pop_hook' in globals():\n            pop_hook()\n",
        )
    }
    run, result = grade(files)

    assert "TRICK-RAN" in printed(run)
    # No test case, class or report of the test runner is in the learner process.
    assert (
        "on the stack: []" in printed(run)
        or "pop_hook" not in TRICKS[trick]
        or ("classes found: []" in printed(run))
    )
    wrong_outcomes(run, result)


def test_a_test_function_swapped_during_setup_earns_nothing() -> None:
    # pytest's fixture filling, patched to give each test item a function that
    # does nothing: pytest is importable in the learner process, but never runs there.
    trick = """
import _pytest.fixtures
original = _pytest.fixtures.TopRequest._fillfixtures
def fill(self):
    self._pyfuncitem.obj = lambda *args, **kwargs: None
    print("TRICK-RAN", flush=True)
    return original(self)
_pytest.fixtures.TopRequest._fillfixtures = fill
print("TRICK-INSTALLED", flush=True)
"""
    run, result = grade({"stack.py": trick + WRONG})

    assert "TRICK-INSTALLED" in printed(run)
    assert "TRICK-RAN" not in printed(run)
    wrong_outcomes(run, result)
