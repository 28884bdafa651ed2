"""The pytest plugin of the Lectern harness.

It reports each test to the supervisor as it finishes, through records that
carry the run's nonce (learner output in the same pipe cannot forge them
without it). A test counts as passed only when pytest says so, none of its
subtests failed, the plugin saw the test function (or the unittest test
method) return, and the pieces of pytest and unittest that decide outcomes
are the ones that were there before learner code was imported. Test modules
are compiled from the sources read before learner code ran, so rewriting a
test file on disk changes nothing.
"""

import ast
import builtins
import contextlib
import functools
import importlib.abc
import importlib.util
import inspect
import json
import json.encoder
import os
import sys
import threading
import time
import traceback
import unittest
import unittest.case
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
import pytest
from _pytest import python as pytest_python
from _pytest import reports as pytest_reports
from _pytest import runner as pytest_runner
from _pytest import subtests as pytest_subtests
from _pytest import unittest as pytest_unittest
from _pytest.assertion.rewrite import rewrite_asserts
from lectern_protocol import RunnerRecord
from runner_report import report_outcome, trim

# Hooks whose implementations decide whether, and how, a test runs and is reported.
GUARDED_HOOKS = (
    "pytest_runtestloop",
    "pytest_runtest_protocol",
    "pytest_runtest_setup",
    "pytest_runtest_call",
    "pytest_runtest_teardown",
    "pytest_pyfunc_call",
    "pytest_runtest_makereport",
    "pytest_runtest_logreport",
    "pytest_runtest_logstart",
    "pytest_runtest_logfinish",
    "pytest_collectreport",
)
GUARDED_ATTRIBUTES: tuple[tuple[Any, str], ...] = (
    (pytest_python.Function, "runtest"),
    (pytest_python.Function, "setup"),
    (pytest_runner, "runtestprotocol"),
    (pytest_runner, "call_and_report"),
    (pytest_runner, "call_runtest_hook"),
    (pytest_runner, "check_interactive_exception"),
    (pytest_runner.CallInfo, "from_call"),
    (pytest_reports.TestReport, "from_item_and_call"),
    (pytest_reports.BaseReport, "passed"),
    (pytest_reports.BaseReport, "failed"),
    (pytest_reports.BaseReport, "skipped"),
    (pluggy.HookCaller, "__call__"),
    (pluggy.PluginManager, "_hookexec"),
    (sys, "settrace"),
    (sys, "setprofile"),
    (threading, "settrace"),
    (threading, "setprofile"),
    # What the records are made and written with: a patched encoder could turn
    # "fail" into "pass" on the way out without knowing the nonce.
    (json, "dumps"),
    (json, "_default_encoder"),
    (json.encoder.JSONEncoder, "encode"),
    (json.encoder.JSONEncoder, "iterencode"),
    (os, "write"),
    (os, "getpid"),
    (unittest.case, "_addSkip"),
    # Classes are created by it: a replacement could rewrite a test class as it is made.
    (builtins, "__build_class__"),
)
# Classes every method of which takes part in deciding an outcome: how unittest
# runs a test and reports to pytest (its assertions included), subtests, and
# the reports themselves. Methods added to them count as changes too (a
# property added to TestReport would shadow BaseReport's).
GUARDED_CLASSES: tuple[type, ...] = (
    pytest_reports.BaseReport,
    pytest_reports.TestReport,
    pytest_subtests.SubtestReport,
    unittest.TestCase,
    unittest.case._Outcome,  # type: ignore[attr-defined]
    unittest.case._SubTest,  # type: ignore[attr-defined]
    pytest_unittest.TestCaseFunction,
    pytest_unittest.UnitTestCase,
    pytest_subtests.Subtests,
    pytest_subtests._SubTestContextManager,
)


class RecordWriter:
    def __init__(self, fd: int, nonce: bytes) -> None:
        self.fd = fd
        self.prefix = b"\x1e" + nonce + b" "
        self.written = 0

    def write(self, record: dict[str, Any]) -> None:
        record["pid"] = os.getpid()
        # Learner output printed so far belongs before this record.
        for stream in (sys.stdout, sys.stderr):
            # A learner may have broken their own stream; the record must still go out.
            with contextlib.suppress(Exception):
                stream.flush()
        data = self.prefix + json.dumps(record).encode() + b"\n"
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        self.written += 1


def learner_frame(tb: Any, learner_root: Path, tests_dir: Path) -> dict[str, Any] | None:
    """The innermost frame of a traceback that is in one of the learner's files."""
    found = None
    for frame in traceback.extract_tb(tb):
        path = Path(frame.filename)
        if path.is_relative_to(learner_root) and not path.is_relative_to(tests_dir):
            found = {"file": str(path.relative_to(learner_root)), "line": frame.lineno}
    return found


class SnapshotTestImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the test modules from sources read before learner code ran."""

    def __init__(self, tests_dir: Path, config: pytest.Config, on_error: Callable) -> None:
        self.on_error = on_error
        self.codes: dict[str, tuple[Path, Any]] = {}
        self.executed: set[str] = set()
        for path in sorted(tests_dir.glob("*.py")):
            source = path.read_bytes()
            tree = ast.parse(source, filename=str(path))
            if path.name.startswith("test_") or path.name.endswith("_test.py"):
                rewrite_asserts(tree, source, str(path), config)
            self.codes[path.stem] = (path, compile(tree, str(path), "exec", dont_inherit=True))

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        entry = self.codes.get(fullname)
        if entry is None:
            return None
        return importlib.util.spec_from_file_location(fullname, entry[0], loader=self)

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        self.executed.add(name)
        try:
            exec(self.codes[name][1], module.__dict__)  # noqa: S102 - the instructor's tests
        except BaseException as error:
            self.on_error(name, error)
            raise


class LecternPlugin:
    def __init__(self, *, writer: RecordWriter, tests_dir: Path, learner_root: Path) -> None:
        self.writer = writer
        self.tests_dir = tests_dir
        self.learner_root = learner_root
        self.importer: SnapshotTestImporter | None = None
        self.snapshot: dict[str, Any] = {}
        self.completed: set[str] = set()
        # unittest items, and those whose test method was entered (set by watch()).
        self.unittest_items: set[str] = set()
        self.entered: set[str] = set()
        self.test_classes: list[type] = []
        # Module-level test functions as collected; class ones are looked up on
        # their (guarded) class.
        self.functions: dict[str, Any] = {}
        self.late_changes: list[str] = []
        self.reports: dict[str, list[pytest.TestReport]] = {}
        self.started: dict[str, float] = {}
        self.import_errors: dict[str, dict[str, Any]] = {}
        self.reported_modules: set[str] = set()
        self.tamper_reported = False
        self.pluginmanager: pytest.PytestPluginManager | None = None
        # Trace and profile hooks can skip lines of a test; nobody in a sandbox needs them.
        self.trace_calls: list[str] = []

    # --- integrity ------------------------------------------------------------

    def take_snapshot(self) -> dict[str, Any]:
        assert self.pluginmanager is not None
        state: dict[str, Any] = {}
        for owner, name in GUARDED_ATTRIBUTES:
            state[f"{getattr(owner, '__name__', owner)}.{name}"] = owner.__dict__.get(
                name, getattr(owner, name, None)
            )
        for hook_name in GUARDED_HOOKS:
            caller = getattr(self.pluginmanager.hook, hook_name)
            state[f"hook {hook_name}"] = tuple(
                (id(impl.plugin), impl.function, impl.wrapper, impl.hookwrapper)
                for impl in caller.get_hookimpls()
            )
        # The harness itself: its classes' methods, its module's functions, and
        # no method shadowed by an attribute of the same name on an instance.
        harness = (LecternPlugin, RecordWriter, SnapshotTestImporter, sys.modules[__name__])
        for owner in (*harness, *GUARDED_CLASSES):
            methods = []
            for name, value in vars(owner).items():
                if callable(value) or isinstance(value, staticmethod | classmethod | property):
                    state[f"{getattr(owner, '__name__', owner)}.{name}"] = value
                    methods.append(name)
            # Data attributes come and go (pytest caches flags on its classes).
            state[f"{getattr(owner, '__name__', owner)} methods"] = tuple(sorted(methods))
        state.update(self.test_classes_state())
        for instance in (self, self.writer):
            shadowed = sorted(set(vars(instance)) & set(vars(type(instance))))
            state[f"{type(instance).__name__} instance"] = tuple(shadowed)
        state["pluginmanager._inner_hookexec"] = self.pluginmanager._inner_hookexec
        state["meta_path[0]"] = sys.meta_path[0] if sys.meta_path else None
        state["trace"] = (sys.gettrace(), sys.getprofile())
        return state

    def test_classes_state(self) -> dict[str, Any]:
        """The methods of the collected test classes. pytest looks unittest test
        methods (and class-based test methods) up on the class when each test
        runs, so a method replaced after collection would run instead; so would
        a method added to shadow one of TestCase's assertions."""
        state: dict[str, Any] = {}
        for klass in self.test_classes:
            where = f"test class {klass.__module__}.{klass.__qualname__}"
            shadowing = []
            for name, value in vars(klass).items():
                if callable(value) or isinstance(value, staticmethod | classmethod | property):
                    state[f"{where}.{name}"] = value
                    if any(name in vars(base) for base in klass.__mro__[1:]):
                        shadowing.append(name)
            state[f"{where} overrides"] = tuple(sorted(shadowing))
        return state

    def check_integrity(self) -> None:
        if self.tamper_reported or not self.snapshot:
            return
        current = self.take_snapshot()
        changed = [key for key, value in self.snapshot.items() if current.get(key) is not value]
        changed = [key for key in changed if current.get(key) != self.snapshot[key]]
        if self.trace_calls:
            changed.append(f"{self.trace_calls[0]} was called")
        changed.extend(self.late_changes)
        if changed:
            self.tamper_reported = True
            self.writer.write({"type": RunnerRecord.TAMPERED, "what": ", ".join(changed[:5])})

    def refuse_tracing(self) -> None:
        def refuser(name: str) -> Callable[..., None]:
            def refuse(*args: Any, **kwargs: Any) -> None:
                self.trace_calls.append(name)
                raise RuntimeError(f"{name} is not available in the grading sandbox")

            return refuse

        sys.settrace = refuser("sys.settrace")
        sys.setprofile = refuser("sys.setprofile")
        threading.settrace = refuser("threading.settrace")
        threading.setprofile = refuser("threading.setprofile")
        monitoring = getattr(sys, "monitoring", None)  # Python 3.12+
        if monitoring is not None:
            monitoring.use_tool_id = refuser("sys.monitoring.use_tool_id")

    # --- pytest hooks -----------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.pluginmanager = config.pluginmanager
        config.option.tbstyle = "short"
        self.importer = SnapshotTestImporter(self.tests_dir, config, self.record_import_error)
        sys.meta_path.insert(0, self.importer)
        self.refuse_tracing()
        self.snapshot = self.take_snapshot()

    def record_import_error(self, module: str, error: BaseException) -> None:
        location = learner_frame(error.__traceback__, self.learner_root, self.tests_dir)
        if isinstance(error, SyntaxError) and error.filename:
            path = Path(error.filename)
            if path.is_relative_to(self.learner_root) and not path.is_relative_to(self.tests_dir):
                location = {"file": str(path.relative_to(self.learner_root)), "line": error.lineno}
        self.import_errors[module] = {
            "exception": type(error).__name__,
            "location": location,
            "message": trim(f"{type(error).__name__}: {error}"),
        }

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not report.failed:
            return
        module = Path(report.nodeid.split("::")[0]).stem
        self.reported_modules.add(module)
        details = self.import_errors.get(module)
        if details is None:
            details = {
                "exception": "CollectError",
                "location": None,
                "message": trim(str(report.longrepr)),
            }
        self.writer.write({"type": RunnerRecord.COLLECT_ERROR, "nodeid": report.nodeid, **details})

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        assert self.importer is not None
        codes = self.importer.codes
        for item in session.items:
            cls = getattr(item, "cls", None)
            for klass in cls.__mro__ if cls is not None else ():
                # The exercise's own classes (test modules, helpers beside them) and
                # unittest's; never the learner's, which may change as they like.
                ours = klass.__module__ in codes or klass.__module__.startswith("unittest")
                if ours and klass not in self.test_classes and klass not in GUARDED_CLASSES:
                    self.test_classes.append(klass)
            if isinstance(item, pytest_unittest.TestCaseFunction):
                self.unittest_items.add(item.nodeid)
            elif isinstance(item, pytest.Function) and cls is None:
                self.functions[item.nodeid] = item.obj
        # Learner code has run by now (at import), but not inside a test class:
        # the classes are defined by the test module after its imports.
        self.snapshot.update(self.test_classes_state())

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.started[nodeid] = time.perf_counter()
        self.reports[nodeid] = []
        self.writer.write({"type": RunnerRecord.START, "nodeid": nodeid})

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Any:
        result = yield
        # Reached only if the test function (or the plugin running it) returned.
        self.completed.add(pyfuncitem.nodeid)
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        # pytest never calls pytest_pyfunc_call for unittest tests: unittest runs
        # setUp, the method and tearDown itself. Watching the method tells a
        # passing test from one whose method never returned, and setUp errors
        # from failures of the test itself.
        testcase = None
        if isinstance(item, pytest_unittest.TestCaseFunction):
            testcase = item.instance
            self.instance_check(item, testcase, allowed=None)
            # The method as the (guarded) class defines it, not whatever item.obj
            # became during setup: nothing else may run in its place.
            item.obj = self.watch(item.nodeid, getattr(testcase, item.name))
            if inspect.iscoroutinefunction(item.obj):
                # pytest lets unittest look async methods up on the instance itself.
                setattr(testcase, item.name, item.obj)
        elif isinstance(item, pytest.Function):
            self.function_check(item)
        try:
            return (yield)
        finally:
            if testcase is not None:
                self.instance_check(item, testcase, allowed=item.obj)

    def function_check(self, item: pytest.Function) -> None:
        """pytest calls item.obj, which anything holding the item (say a patched
        fixture helper) can replace during setup: it must be the test's own."""
        if item.cls is None:
            defined = self.functions.get(item.nodeid)
        else:
            defined = getattr(item.cls, item.originalname, None)
        if getattr(item.obj, "__func__", item.obj) is not getattr(defined, "__func__", defined):
            self.late_changes.append(f"the test function of {item.nodeid} was replaced")

    def watch(self, nodeid: str, method: Callable[..., Any]) -> Callable[..., Any]:
        """`method`, noting when it is entered and when it returns. wraps() keeps
        unittest's skip and expected-failure markers, which live on the function."""
        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def watched_async(*args: Any, **kwargs: Any) -> Any:
                self.entered.add(nodeid)
                result = await method(*args, **kwargs)
                self.completed.add(nodeid)
                return result

            return watched_async

        @functools.wraps(method)
        def watched(*args: Any, **kwargs: Any) -> Any:
            self.entered.add(nodeid)
            result = method(*args, **kwargs)
            self.completed.add(nodeid)
            return result

        return watched

    def instance_check(self, item: pytest.Item, testcase: Any, allowed: Any) -> None:
        """A test case instance whose methods were shadowed while it ran (say an
        assertion replaced through a frame of the test) decided nothing.
        `allowed` is the plugin's own watcher, left on the instance for async tests."""
        shadowed = sorted(
            name
            for name, value in vars(testcase).items()
            if callable(value) and value is not allowed and hasattr(type(testcase), name)
        )
        if shadowed:
            self.late_changes.append(f"methods of {item.nodeid} replaced: {shadowed[:5]}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.reports.setdefault(report.nodeid, []).append(report)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self.check_integrity()
        outcome, message, learner_error = self.outcome_of(nodeid)
        started = self.started.pop(nodeid, time.perf_counter())
        self.writer.write(
            {
                "type": RunnerRecord.TEST,
                "nodeid": nodeid,
                "outcome": outcome,
                "message": trim(message),
                "learner_error": learner_error,
                "duration_ms": int((time.perf_counter() - started) * 1000),
            }
        )

    def outcome_of(self, nodeid: str) -> tuple[str, str, dict[str, Any] | None]:
        call_failure = ("fail", "")
        if nodeid in self.unittest_items:
            # unittest runs setUp and tearDown inside pytest's call phase.
            if nodeid not in self.entered:
                call_failure = ("error", "error in setUp: ")
            elif nodeid in self.completed:
                call_failure = ("error", "error in tearDown or a cleanup: ")
        kind, message, failed = report_outcome(
            self.reports.pop(nodeid, []), call_failure=call_failure
        )
        if kind == "pass" and nodeid not in self.completed:
            return "fail", "the test function did not run to completion", None
        return kind, message, self.learner_error(failed) if failed is not None else None

    def learner_error(self, report: pytest.TestReport) -> dict[str, Any] | None:
        """Where in the learner's files the failure surfaced, and as what exception."""
        longrepr = report.longrepr
        reprtraceback = getattr(longrepr, "reprtraceback", None)
        crash = getattr(longrepr, "reprcrash", None)
        if reprtraceback is None:
            return None
        location = None
        for entry in reprtraceback.reprentries:
            fileloc = getattr(entry, "reprfileloc", None)
            if fileloc is None:
                continue
            path = Path(fileloc.path)
            if not path.is_absolute():
                path = self.learner_root / path
            if path.is_relative_to(self.learner_root) and not path.is_relative_to(self.tests_dir):
                location = {
                    "file": str(path.relative_to(self.learner_root)),
                    "line": fileloc.lineno,
                }
        exception = ""
        if crash is not None:
            exception = crash.message.split(":", 1)[0].strip()
        if location is None and not exception:
            return None
        return {"exception": exception, "location": location}

    def session_finished(self, exitstatus: int) -> None:
        self.check_integrity()
        # A module whose import raised SystemExit or KeyboardInterrupt stops pytest
        # before it reports the module: report it here.
        for module, details in self.import_errors.items():
            if module not in self.reported_modules:
                self.writer.write({"type": RunnerRecord.COLLECT_ERROR, "nodeid": module, **details})
        if self.importer is not None:
            loaded = {name for name in sys.modules if name in self.importer.codes}
            bypassed = sorted(loaded - self.importer.executed)
            if bypassed and not self.tamper_reported:
                self.tamper_reported = True
                self.writer.write(
                    {
                        "type": RunnerRecord.TAMPERED,
                        "what": f"test modules imported around the harness: {bypassed}",
                    }
                )
        self.writer.write({"type": RunnerRecord.SESSION_END, "exitstatus": exitstatus})
