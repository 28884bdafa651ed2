"""The list of tests an exercise has, read from its test files with `ast`.

The grader expects one result per entry of this list, so it has to agree with
what pytest itself collects. Test files are never imported here: they are
author code, and loading content must not run it. The shapes pytest collects
by default are listed as it lists them: module-level `test*` functions,
`test*` methods of module-level `Test*` classes, and `test*` methods of
`unittest.TestCase` subclasses of any name. Where the source alone cannot tell
what pytest will do (a base class from another module), the class is named
in an error instead of being guessed at.
"""

import ast
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Visibility = Literal["visible", "hidden"]

# pytest's default python_files patterns.
_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")


class ExerciseTestsError(ValueError):
    """A problem with the test files or the points spec.

    `file` and `visibility` locate problems in a test file (with `line`);
    `test_name` locates problems in the points spec.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        visibility: Visibility | None = None,
        line: int = 1,
        test_name: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.visibility = visibility
        self.line = line
        self.test_name = test_name


_Fail = Callable[[str, ast.stmt], "ExerciseTestsError"]


def collected_file_is(name: str) -> bool:
    """Whether pytest would collect tests from a file of that relative name."""
    return bool(_TEST_FILE.search(name))


def exercise_tests_discover(
    *,
    visible: Mapping[str, str],
    hidden: Mapping[str, str],
    points_spec: Mapping[str, Any] | None,
    default_points: float = 1,
) -> list[dict[str, Any]]:
    """[{"name", "file", "points", "visibility", "feedback"}] in grading order.

    Visible files in name order, then hidden files in name order; tests in
    source order. `file` is the key of the file in `visible` or `hidden`.
    """
    _points_check(default_points, test_name=None)
    found: list[tuple[str, str, Visibility]] = []
    first_seen: dict[str, tuple[str, Visibility]] = {}
    groups: list[tuple[Mapping[str, str], Visibility]] = [(visible, "visible"), (hidden, "hidden")]
    for files, visibility in groups:
        for file in sorted(files):
            if not collected_file_is(file):
                continue
            for name, line in _file_tests(files[file], file=file, visibility=visibility):
                if name in first_seen:
                    other_file, other_visibility = first_seen[name]
                    raise ExerciseTestsError(
                        f"test {name!r} is defined twice (also in {other_visibility} file "
                        f"{other_file}); test names must be unique within an exercise",
                        file=file,
                        visibility=visibility,
                        line=line,
                    )
                first_seen[name] = (file, visibility)
                found.append((name, file, visibility))

    spec = dict(points_spec or {})
    for name in spec:
        if name not in first_seen:
            raise ExerciseTestsError(
                f"points are given for {name!r}, but no test has that name", test_name=name
            )

    tests = []
    for name, file, visibility in found:
        points, feedback = _spec_entry(spec.get(name), default_points, test_name=name)
        tests.append(
            {
                "name": name,
                "file": file,
                "points": points,
                "visibility": visibility,
                "feedback": feedback,
            }
        )
    return tests


def _file_tests(source: str, *, file: str, visibility: Visibility) -> list[tuple[str, int]]:
    try:
        tree = ast.parse(source, filename=file)
    except SyntaxError as exc:
        raise ExerciseTestsError(
            f"syntax error: {exc.msg}", file=file, visibility=visibility, line=exc.lineno or 1
        ) from exc

    def fail(message: str, node: ast.stmt) -> ExerciseTestsError:
        return ExerciseTestsError(message, file=file, visibility=visibility, line=node.lineno)

    module = _Module(tree)
    tests: list[tuple[str, int]] = []
    passed_over: list[ast.ClassDef] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if _test_name_is(node.name) and not _fixture_is(node):
                tests.append((node.name, node.lineno))
        elif isinstance(node, ast.ClassDef):
            found = _class_tests(node, module, fail)
            tests.extend(found)
            if not found and any(_test_name_is(item.name) for item in _methods(node)):
                passed_over.append(node)
    if not tests and passed_over:
        # A test file pytest finds nothing in is a mistake: say which class and why.
        node = passed_over[0]
        raise fail(
            f"class {node.name} has test methods, but pytest will not collect it: it collects "
            "classes named Test… and unittest.TestCase subclasses (and none with __test__ = False)",
            node,
        )
    return tests


class _Module:
    """What one test file binds at module level that decides how pytest collects
    its classes: the names unittest's TestCase goes by, and the classes it defines."""

    def __init__(self, tree: ast.Module) -> None:
        self.unittest_modules: set[str] = set()
        self.testcase_names: set[str] = set()
        self.classes: dict[str, ast.ClassDef] = {}
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in ("unittest", "unittest.case"):
                        # Without `as`, both bind `unittest`, and `unittest.case` with it.
                        self.unittest_modules.update(
                            {alias.asname} if alias.asname else {"unittest", "unittest.case"}
                        )
            elif isinstance(node, ast.ImportFrom) and node.module in ("unittest", "unittest.case"):
                for alias in node.names:
                    if alias.name in _UNITTEST_CASES:
                        self.testcase_names.add(alias.asname or alias.name)
                    elif alias.name == "case":
                        self.unittest_modules.add(alias.asname or "case")
            elif isinstance(node, ast.ClassDef):
                # pytest sees the last definition of a name, as the module does.
                self.classes[node.name] = node

    def base_kind(self, base: ast.expr) -> "_BaseKind":
        """Whether a base class expression is unittest's TestCase, a class of this
        file (by name), or something the loader cannot see."""
        if isinstance(base, ast.Name):
            if base.id in self.testcase_names:
                return "testcase"
            if base.id in self.classes:
                return "local"
            if base.id == "object":
                return "plain"
        module, _, name = ast.unparse(base).rpartition(".")
        if module.endswith(".case") and module.removesuffix(".case") in self.unittest_modules:
            module = module.removesuffix(".case")
        if name in _UNITTEST_CASES and module in self.unittest_modules:
            return "testcase"
        return "unknown"

    def lineage(self, node: ast.ClassDef, seen: frozenset[str] = frozenset()) -> "_Lineage":
        """The classes of this file `node` derives from (nearest first), whether
        one of them is a TestCase, and the first base the loader cannot see."""
        lineage = _Lineage()
        for base in node.bases:
            kind = self.base_kind(base)
            if kind == "testcase":
                lineage.testcase = True
            elif kind == "unknown" and lineage.unknown is None:
                lineage.unknown = ast.unparse(base)
            elif kind == "local":
                assert isinstance(base, ast.Name)
                parent = self.classes[base.id]
                if parent.name in seen or parent is node:
                    continue
                inherited = self.lineage(parent, seen | {node.name})
                lineage.ancestors.extend([parent, *inherited.ancestors])
                lineage.testcase = lineage.testcase or inherited.testcase
                lineage.unknown = lineage.unknown or inherited.unknown
        return lineage


_BaseKind = Literal["testcase", "local", "plain", "unknown"]
# The classes of unittest that pytest collects subclasses of, whatever their name.
_UNITTEST_CASES = frozenset({"TestCase", "IsolatedAsyncioTestCase"})


@dataclass
class _Lineage:
    ancestors: list[ast.ClassDef] = field(default_factory=list)
    testcase: bool = False
    unknown: str | None = None


def _test_name_is(name: str) -> bool:
    # pytest's default python_functions, and unittest's testMethodPrefix.
    return name.startswith("test")


def _fixture_is(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A function pytest takes for a fixture, not a test, even when named test…."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ast.unparse(target) in ("pytest.fixture", "fixture"):
            return True
    return False


def _methods(node: ast.ClassDef) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [item for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)]


def _collection_disabled(classes: list[ast.ClassDef]) -> bool:
    """`__test__ = False` in the class body or, failing that, in the nearest base
    that sets it: pytest leaves the class alone."""
    for node in classes:
        for item in node.body:
            if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant):
                names = [target.id for target in item.targets if isinstance(target, ast.Name)]
                if "__test__" in names:
                    return not item.value.value
    return False


def _class_tests(node: ast.ClassDef, module: _Module, fail: _Fail) -> list[tuple[str, int]]:
    if module.classes.get(node.name) is not node:
        return []
    lineage = module.lineage(node)
    if _collection_disabled([node, *lineage.ancestors]):
        return []
    own_tests = [item for item in _methods(node) if _test_name_is(item.name)]
    # pytest lists inherited tests first, from the most distant base.
    inherited_tests = [
        item
        for ancestor in reversed(lineage.ancestors)
        for item in _methods(ancestor)
        if _test_name_is(item.name)
    ]
    if lineage.testcase:
        return _named_tests(node, inherited_tests, own_tests, fallback="runTest")
    if not node.name.startswith("Test"):
        if lineage.unknown is not None and (own_tests or inherited_tests):
            raise fail(
                f"class {node.name} derives from {lineage.unknown}, which is not defined in this "
                "file, so the loader cannot tell whether it is a unittest.TestCase (pytest "
                f"collects those whatever their name, other classes only when named Test…): "
                f"derive {node.name} from unittest.TestCase in this file, or name it Test…",
                node,
            )
        return []
    for klass in (node, *lineage.ancestors):
        for item in _methods(klass):
            if item.name == "__init__":
                # pytest skips such a class with only a warning: its tests would vanish.
                raise fail(f"test class {node.name} has __init__, so pytest will not run it", item)
    for nested in node.body:
        if isinstance(nested, ast.ClassDef) and nested.name.startswith("Test"):
            raise fail(f"nested test class {node.name}.{nested.name} is not supported", nested)
    return _named_tests(node, inherited_tests, own_tests, fallback=None)


def _named_tests(
    node: ast.ClassDef,
    inherited: list[ast.FunctionDef | ast.AsyncFunctionDef],
    own: list[ast.FunctionDef | ast.AsyncFunctionDef],
    *,
    fallback: str | None,
) -> list[tuple[str, int]]:
    """`Class.method` for each test method, inherited ones first as pytest orders them;
    a method the class redefines counts once. A TestCase without test methods
    runs its `runTest`, as unittest does."""
    by_name: dict[str, int] = {}
    for item in [*inherited, *own]:
        by_name[item.name] = item.lineno
    if not by_name and fallback is not None:
        runner = [item for item in _methods(node) if item.name == fallback]
        by_name = {fallback: runner[0].lineno} if runner else {}
    return [(f"{node.name}.{name}", line) for name, line in by_name.items()]


def _spec_entry(entry: Any, default_points: float, *, test_name: str) -> tuple[float, str]:
    if entry is None:
        return default_points, ""
    if isinstance(entry, Mapping):
        unknown = set(entry) - {"points", "feedback"}
        if unknown:
            raise ExerciseTestsError(
                f"test {test_name!r}: unknown field(s) {', '.join(sorted(map(str, unknown)))}; "
                "use points and feedback",
                test_name=test_name,
            )
        points = entry.get("points", default_points)
        feedback = entry.get("feedback", "")
        if not isinstance(feedback, str):
            raise ExerciseTestsError(
                f"test {test_name!r}: feedback must be text", test_name=test_name
            )
        _points_check(points, test_name=test_name)
        return points, feedback.strip()
    _points_check(entry, test_name=test_name)
    return entry, ""


def _points_check(points: Any, *, test_name: str | None) -> None:
    where = f"test {test_name!r}: points" if test_name else "default_points"
    if isinstance(points, bool) or not isinstance(points, int | float):
        raise ExerciseTestsError(f"{where} must be a number, not {points!r}", test_name=test_name)
    if points < 0 or not math.isfinite(points):
        raise ExerciseTestsError(
            f"{where} must be a non-negative number, not {points!r}", test_name=test_name
        )
