"""Test suites written as a public track writes them, graded in the real sandbox.

unittest classes not named Test…, setUp, self.subTest loops, pytest's
`subtests` fixture, assertRaises with an exception the learner defines, and a
helper module beside the tests: the reference earns full points, a wrong
solution earns exactly what its passing tests are worth, and every failing
subtest is named.
"""

from typing import Any

import pytest

from grader.results import result_build
from lessons.exercise_tests import exercise_tests_discover
from sandboxes.limits import limits_resolve
from sandboxes.runner import SandboxJob, SandboxRun, sandbox_run

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("runtime")]

STACK_TEST = """\
import unittest

from stack import Stack, StackUnderflowError
from stack_helpers import filled


class StackTest(unittest.TestCase):
    def setUp(self):
        self.stack = Stack()

    def test_push_then_pop(self):
        self.stack.push(1)
        self.assertEqual(self.stack.pop(), 1)

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


def grade(files: dict[str, str]) -> tuple[SandboxRun, dict[str, Any]]:
    limits = limits_resolve({})
    job = SandboxJob(files=files, visible_tests=VISIBLE, hidden_tests=HIDDEN, limits=limits)
    run = sandbox_run(job)
    return run, result_build(tests_spec=SPEC, run=run, limits=limits)


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


def test_a_wrong_solution_gets_the_points_of_its_passing_tests() -> None:
    _, result = grade({"stack.py": WRONG})
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


def test_failing_fixture_subtests_are_each_named() -> None:
    job = SandboxJob(
        files={"stack.py": WRONG},
        visible_tests={"test_parity.py": PARITY_TEST},
        hidden_tests={},
        limits=limits_resolve({}),
    )
    (test,) = sandbox_run(job).tests

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
    job = SandboxJob(
        files={},
        visible_tests={"lifecycle_test.py": LIFECYCLE_TEST},
        hidden_tests={},
        limits=limits_resolve({}),
    )
    run = sandbox_run(job)
    outcomes = {test.nodeid.split("::", 1)[1]: (test.outcome, test.message) for test in run.tests}

    assert {name: outcome for name, (outcome, _) in outcomes.items()} == {
        "Passes::test_passes": "pass",
        "Passes::test_fails": "fail",
        "SetUpBreaks::test_never_runs": "error",
        "TearDownBreaks::test_runs": "error",
        "SetUpClassBreaks::test_never_runs": "error",
        "AsyncCase::test_async_passes": "pass",
        "AsyncCase::test_async_fails": "fail",
        "Skipped::test_extra": "skip",
    }
    assert "one is not two" in outcomes["Passes::test_fails"][1]
    assert outcomes["SetUpBreaks::test_never_runs"][1].startswith("error in setUp: ")
    assert "setUp broke" in outcomes["SetUpBreaks::test_never_runs"][1]
    assert outcomes["TearDownBreaks::test_runs"][1].startswith("error in tearDown or a cleanup: ")
    assert "setUpClass broke" in outcomes["SetUpClassBreaks::test_never_runs"][1]
    assert outcomes["Skipped::test_extra"][1] == "extra-credit"
    # The result format has no skipped status: a skipped test counts as failed.
    spec = exercise_tests_discover(
        visible={"lifecycle_test.py": LIFECYCLE_TEST}, hidden={}, points_spec=None
    )
    skipped = by_name(result_build(tests_spec=spec, run=run, limits=job.limits))[
        "Skipped.test_extra"
    ]
    assert (skipped["status"], skipped["message"], skipped["max_points"]) == (
        "fail",
        "skipped: extra-credit",
        1,
    )


# --- unittest's deciding parts are guarded as pytest's are ----------------------

# Each trick prints its marker once it has done its work, so a trick that broke
# before doing anything cannot pass for one that was caught.
TRICKS = {
    "patched assertion": """
import unittest
unittest.TestCase.assertEqual = lambda self, *args, **kwargs: None
print("TRICK-RAN", flush=True)
""",
    "assertion shadowed on the running test case": """
import sys
def pop_hook():
    sys._getframe(2).f_locals["self"].assertEqual = lambda *args, **kwargs: None
    print("TRICK-RAN", flush=True)
""",
    "failing reports made to pass by a property on TestReport": """
import _pytest.reports
_pytest.reports.TestReport.failed = property(lambda self: False)
_pytest.reports.TestReport.passed = property(lambda self: True)
print("TRICK-RAN", flush=True)
""",
    "test method replaced on its class": """
import gc
def pop_hook():
    for thing in gc.get_objects():
        if isinstance(thing, type) and thing.__name__ == "StackTest":
            thing.test_pop_from_empty_raises_underflow = lambda self: None
            print("TRICK-RAN", flush=True)
""",
}


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

    printed = run.output + "".join(test.output for test in run.tests)
    assert "TRICK-RAN" in printed
    assert run.status == "tampered", (run.status, run.detail)
    assert result["verdict"] == "tampered"
    assert result["score"] == 0


def test_a_test_function_swapped_during_setup_earns_nothing() -> None:
    # Not an attribute the harness guards: pytest's fixture filling, patched to
    # give each test item a function that does nothing.
    trick = """
import _pytest.fixtures
original = _pytest.fixtures.TopRequest._fillfixtures
def fill(self):
    self._pyfuncitem.obj = lambda *args, **kwargs: None
    print("TRICK-RAN", flush=True)
    return original(self)
_pytest.fixtures.TopRequest._fillfixtures = fill
"""
    files = {"stack.py": trick + WRONG}
    # A unittest test runs the method its class defines all the same, so the
    # trick earns what WRONG earns there ...
    job = SandboxJob(files=files, visible_tests=VISIBLE, hidden_tests={}, limits=limits_resolve({}))
    run = sandbox_run(job)
    assert "TRICK-RAN" in "".join(test.output for test in run.tests)
    assert run.status == "completed"
    assert [test.outcome for test in run.tests].count("pass") == 1
    # ... and a plain test function that is not its own any more decides nothing.
    run, result = grade(files)
    assert run.status == "tampered", run.detail
    assert "test_even_numbers_are_even was replaced" in run.detail
    assert result["score"] == 0
