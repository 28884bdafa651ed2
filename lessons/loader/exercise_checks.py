"""The checks of one exercise's front matter against its files: what the
learner may submit, the limits, how the tests reach the learner's code, the
hints and the tests with their points."""

from pathlib import Path, PurePosixPath
from typing import Any

from lessons.exercise_tests import ExerciseTestsError, collected_file_is, exercise_tests_discover
from lessons.learner_files import file_name_problem
from lessons.loader.report import Problems
from lessons.markdown_render import FrontMatter
from sandboxes.harness import HarnessMode, harness_preload
from sandboxes.limits import LimitError, limits_resolve


def exercise_values(
    front: FrontMatter,
    folder: Path,
    problems: Problems,
    *,
    starter: dict[str, str],
    starter_complete: bool,
    solution: dict[str, str],
    visible: dict[str, str],
    hidden: dict[str, str],
) -> dict[str, Any]:
    """The Exercise fields that come from its folder's files (each a map of
    relative name to text), checked; `starter_complete` says every starter
    file could be read."""
    # Without all starter files, checking 'files' against them would only add noise.
    accepted = _accepted_files(front, starter, solution, problems) if starter_complete else []
    _learner_modules_check(front, accepted, {**visible, **hidden}, problems)
    limits = _limits_get(front, problems)
    harness = _harness_get(front, solution, problems)
    hints = _hints_get(front, problems)
    tests = _tests_get(front, folder, visible, hidden, problems)
    show_solution = front.data.get("show_solution", True)
    if not isinstance(show_solution, bool):
        problems.add(
            front.error(
                "field 'show_solution' must be true or false (whether a learner who passed "
                "may see the reference solution)",
                "show_solution",
            )
        )
        show_solution = True
    continues = front.data.get("continues", "")
    if not isinstance(continues, str):
        problems.add(
            front.error(
                "field 'continues' must be the slug of the exercise this one is the next step of",
                "continues",
            )
        )
        continues = ""
    return {
        "accepted_files": accepted,
        "starter_files": starter,
        "solution_files": solution,
        "visible_test_files": visible,
        "hidden_test_files": hidden,
        "tests": tests,
        "limits": limits,
        "harness": harness,
        "hints": hints,
        "solution_shown_after_pass": show_solution,
        "continues_from": continues,
    }


def _file_name_problem(name: str) -> str | None:
    # Learners' submissions follow the same path rules: a name they could
    # never send would make the exercise impossible.
    if problem := file_name_problem(name):
        return problem
    path = PurePosixPath(name)
    if path.as_posix() != name:
        return "must be written in normal form (no './', no '//', no trailing '/')"
    if path.parts[0] in {"tests", "hidden"}:
        return "must not be inside tests/ or hidden/"
    # The grader collects only the exercise's own test folders, but pytest would
    # still read a conftest.py anywhere on the way.
    if path.name == "conftest.py":
        return "must not be a conftest.py"
    return None


def _accepted_files(
    front: FrontMatter,
    starter: dict[str, str],
    solution: dict[str, str],
    problems: Problems,
) -> list[str]:
    raw = front.data.get("files")
    if raw is None:
        accepted = sorted(starter)
    elif not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        problems.add(front.error("field 'files' must be a list of file names", "files"))
        return []
    else:
        accepted = list(raw)
        for index, name in enumerate(accepted):
            if accepted.index(name) != index:
                problems.add(front.error(f"file {name!r} is listed twice", "files", index))
        for name in sorted(set(starter) - set(accepted)):
            problems.add(front.error(f"starter file {name!r} is missing from 'files'", "files"))
    if not accepted:
        problems.add(
            front.error("the learner has no file to submit: add starter/ files or 'files'")
        )
    for index, name in enumerate(accepted):
        problem = _file_name_problem(name)
        if problem:
            keys: tuple[str | int, ...] = ("files", index) if raw is not None else ()
            problems.add(front.error(f"learner file {name!r} {problem}", *keys))
    for name in sorted(set(solution) - set(accepted)):
        problems.add(
            front.error(
                f"solution file {name!r} is not a file the learner may submit "
                "(add it to starter/ or to 'files')",
                "files",
            )
        )
    return accepted


def _learner_modules_check(
    front: FrontMatter, accepted: list[str], tests: dict[str, str], problems: Problems
) -> None:
    """A learner file may be a test file of its own (an exercise can be about
    writing tests), but it must not shadow one of the exercise's test modules."""
    test_modules = {PurePosixPath(name).stem for name in tests if name.endswith(".py")}
    for name in accepted:
        if name.endswith(".py") and PurePosixPath(name).stem in test_modules:
            problems.add(
                front.error(
                    f"learner file {name!r} has the same module name as a test file of the "
                    "exercise; rename one of them",
                    "files",
                )
            )


def _harness_get(
    front: FrontMatter, solution: dict[str, str], problems: Problems
) -> dict[str, Any]:
    """`app: module:attribute` serves the learner's app over HTTP to the tests;
    `isolation: shared` runs learner code inside the test process (forgeable)."""
    app = front.data.get("app")
    isolation = front.data.get("isolation")
    mode = "function"
    if app is not None:
        module, _, attribute = str(app).partition(":") if isinstance(app, str) else ("", "", "")
        if not (
            module
            and attribute
            and all(p.isidentifier() for p in module.split("."))
            and all(p.isidentifier() for p in attribute.split("."))
        ):
            problems.add(
                front.error(
                    "field 'app' must name the learner's application as module:attribute, "
                    f"as for uvicorn or gunicorn (for example app:app), not {app!r}",
                    "app",
                )
            )
            return {}
        mode = "http"
    if isolation is not None:
        if isolation != "shared":
            problems.add(
                front.error(
                    f"field 'isolation' can only be 'shared', not {isolation!r}; leave it out "
                    "to run learner code in a process of its own",
                    "isolation",
                )
            )
            return {}
        if app is not None:
            problems.add(
                front.error("'isolation: shared' cannot be combined with 'app'", "isolation")
            )
            return {}
        mode = "shared"
    preload = harness_preload(mode=mode, reference_files=solution)
    return HarnessMode(mode=mode, app=str(app or ""), preload=preload).as_dict()


def _limits_get(front: FrontMatter, problems: Problems) -> dict[str, Any]:
    raw = front.data.get("limits", {})
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(front.error("field 'limits' must be a mapping of limit: value", "limits"))
        return {}
    limits: dict[str, Any] = {}
    # One at a time, so the message points at the line of the bad limit.
    for name, value in raw.items():
        try:
            limits_resolve({name: value})
        except LimitError as exc:
            problems.add(front.error(str(exc), "limits", str(name)))
        else:
            limits[str(name)] = value
    return limits


def _hints_get(front: FrontMatter, problems: Problems) -> list[str]:
    raw = front.data.get("hints", [])
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(front.error("field 'hints' must be a list of texts", "hints"))
        return []
    hints = []
    for index, hint in enumerate(raw):
        if not isinstance(hint, str) or not hint.strip():
            problems.add(front.error("each hint must be non-empty text", "hints", index))
        else:
            hints.append(hint.strip())
    return hints


def _tests_get(
    front: FrontMatter,
    folder: Path,
    visible: dict[str, str],
    hidden: dict[str, str],
    problems: Problems,
) -> list[dict[str, Any]]:
    spec = front.data.get("tests", {})
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        problems.add(front.error("field 'tests' must map test names to points", "tests"))
        return []
    # pytest imports test files by module name: two with the same name clash.
    modules: dict[str, str] = {}
    for subfolder, files in (("tests", visible), ("hidden", hidden)):
        for name in sorted(files):
            if not collected_file_is(name):
                continue
            module = PurePosixPath(name).stem
            where = f"{subfolder}/{name}"
            if module in modules:
                problems.at(
                    folder / where,
                    1,
                    f"test module name {module!r} is also used by {modules[module]}; "
                    "pytest cannot import both",
                )
            modules.setdefault(module, where)
    try:
        tests = exercise_tests_discover(
            visible=visible,
            hidden=hidden,
            points_spec=spec,
            default_points=front.data.get("default_points", 1),
        )
    except ExerciseTestsError as exc:
        if exc.file is not None:
            subfolder = "tests" if exc.visibility == "visible" else "hidden"
            problems.at(folder / subfolder / exc.file, exc.line, exc.message)
        elif exc.test_name is not None:
            problems.add(front.error(exc.message, "tests", exc.test_name))
        else:
            problems.add(front.error(exc.message, "default_points"))
        return []
    if not tests:
        problems.add(
            front.error("the exercise has no tests: add tests/test_*.py or hidden/test_*.py")
        )
    return tests
