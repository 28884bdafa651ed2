"""The list of tests an exercise has, read from its test files with `ast`.

The grader expects one result per entry of this list, so it has to agree with
what pytest itself collects. Test files are never imported here: they are
author code, and loading content must not run it. Only the plain shapes are
supported (module-level test functions, methods of module-level Test classes);
shapes where the two could disagree are rejected with a message instead.
"""

import ast
import math
import re
from collections.abc import Callable, Mapping
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

    tests: list[tuple[str, int]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if _test_function_is(node.name, node, fail):
                tests.append((node.name, node.lineno))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            tests.extend(_class_tests(node, fail))
    return tests


def _test_function_is(name: str, node: ast.stmt, fail: _Fail) -> bool:
    # pytest collects any name starting with "test" by default, a harness may
    # be configured for "test_" only: allow just the names both agree on.
    if name.startswith("test_"):
        return True
    if name.startswith("test"):
        raise fail(f"{name!r}: name test functions test_<something>", node)
    return False


def _class_tests(node: ast.ClassDef, fail: _Fail) -> list[tuple[str, int]]:
    tests: list[tuple[str, int]] = []
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            if item.name == "__init__":
                # pytest skips such a class with only a warning: its tests would vanish.
                raise fail(f"test class {node.name} has __init__, so pytest will not run it", item)
            if _test_function_is(item.name, item, fail):
                tests.append((f"{node.name}.{item.name}", item.lineno))
        elif isinstance(item, ast.ClassDef) and item.name.startswith("Test"):
            raise fail(f"nested test class {node.name}.{item.name} is not supported", item)
    return tests


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
