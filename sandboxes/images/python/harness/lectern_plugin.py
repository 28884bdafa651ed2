"""The pytest plugin of the Lectern harness.

It reports each test to the supervisor as it finishes, through records that
carry the run's nonce (learner output in the same pipe cannot forge them
without it). A test counts as passed only when pytest says so *and* the
plugin saw the test function return, *and* the pieces of pytest that decide
outcomes are the ones that were there before learner code was imported.
Test modules are compiled from the sources read before learner code ran, so
rewriting a test file on disk changes nothing.
"""

import ast
import contextlib
import importlib.abc
import importlib.util
import json
import json.encoder
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
import pytest
from _pytest import python as pytest_python
from _pytest import reports as pytest_reports
from _pytest import runner as pytest_runner
from _pytest.assertion.rewrite import rewrite_asserts

MESSAGE_MAX = 3000
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


def trim(text: str, limit: int = MESSAGE_MAX) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters)"


def syntax_errors(root: Path, names: Iterable[str]) -> list[dict[str, Any]]:
    """Compile (never run) the learner's Python files."""
    errors = []
    for name in names:
        if not name.endswith(".py"):
            continue
        source = (root / name).read_bytes()
        try:
            compile(source, name, "exec", dont_inherit=True)
        except SyntaxError as error:
            line = error.lineno or 1
            errors.append(
                {
                    "type": "syntax_error",
                    "exception": type(error).__name__,
                    "location": {"file": name, "line": line, "column": error.offset or 0},
                    "message": f"{name}, line {line}: {error.msg}"
                    + (f"\n    {error.text.rstrip()}" if error.text else ""),
                }
            )
        except ValueError as error:  # e.g. NUL bytes in the source
            errors.append(
                {
                    "type": "syntax_error",
                    "exception": type(error).__name__,
                    "location": {"file": name, "line": 1, "column": 0},
                    "message": f"{name}: {error}",
                }
            )
    return errors


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
        for owner in (LecternPlugin, RecordWriter, SnapshotTestImporter, sys.modules[__name__]):
            for name, value in vars(owner).items():
                if callable(value) or isinstance(value, staticmethod | classmethod | property):
                    state[f"{getattr(owner, '__name__', owner)}.{name}"] = value
        for instance in (self, self.writer):
            shadowed = sorted(set(vars(instance)) & set(vars(type(instance))))
            state[f"{type(instance).__name__} instance"] = tuple(shadowed)
        state["pluginmanager._inner_hookexec"] = self.pluginmanager._inner_hookexec
        state["meta_path[0]"] = sys.meta_path[0] if sys.meta_path else None
        state["trace"] = (sys.gettrace(), sys.getprofile())
        return state

    def check_integrity(self) -> None:
        if self.tamper_reported or not self.snapshot:
            return
        current = self.take_snapshot()
        changed = [key for key, value in self.snapshot.items() if current.get(key) is not value]
        changed = [key for key in changed if current.get(key) != self.snapshot[key]]
        if self.trace_calls:
            changed.append(f"{self.trace_calls[0]} was called")
        if changed:
            self.tamper_reported = True
            self.writer.write({"type": "tampered", "what": ", ".join(changed[:5])})

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
        self.writer.write({"type": "collect_error", "nodeid": report.nodeid, **details})

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.started[nodeid] = time.perf_counter()
        self.reports[nodeid] = []
        self.writer.write({"type": "start", "nodeid": nodeid})

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Any:
        result = yield
        # Reached only if the test function (or the plugin running it) returned.
        self.completed.add(pyfuncitem.nodeid)
        return result

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.reports.setdefault(report.nodeid, []).append(report)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self.check_integrity()
        outcome, message, learner_error = self.outcome_of(nodeid)
        started = self.started.pop(nodeid, time.perf_counter())
        self.writer.write(
            {
                "type": "test",
                "nodeid": nodeid,
                "outcome": outcome,
                "message": trim(message),
                "learner_error": learner_error,
                "duration_ms": int((time.perf_counter() - started) * 1000),
            }
        )

    def outcome_of(self, nodeid: str) -> tuple[str, str, dict[str, Any] | None]:
        by_phase = {report.when: report for report in self.reports.pop(nodeid, [])}
        setup, call, teardown = (by_phase.get(when) for when in ("setup", "call", "teardown"))
        for phase, report in (("setup", setup), ("call", call), ("teardown", teardown)):
            if report is None or not report.failed:
                continue
            kind = "fail" if phase == "call" else "error"
            prefix = "" if phase == "call" else f"error in test {phase}: "
            return kind, prefix + report.longreprtext, self.learner_error(report)
        if call is None or call.skipped or (setup is not None and setup.skipped):
            reason = ""
            report = call or setup
            if report is not None and isinstance(report.longrepr, tuple):
                reason = str(report.longrepr[2])
            return "skip", reason, None
        if hasattr(call, "wasxfail"):
            return "fail", "expected to fail (xfail) but the grader counts only passing tests", None
        if nodeid not in self.completed:
            return "fail", "the test function did not run to completion", None
        return "pass", "", None

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
                self.writer.write({"type": "collect_error", "nodeid": module, **details})
        if self.importer is not None:
            loaded = {name for name in sys.modules if name in self.importer.codes}
            bypassed = sorted(loaded - self.importer.executed)
            if bypassed and not self.tamper_reported:
                self.tamper_reported = True
                self.writer.write(
                    {
                        "type": "tampered",
                        "what": f"test modules imported around the harness: {bypassed}",
                    }
                )
        self.writer.write({"type": "session_end", "exitstatus": exitstatus})
