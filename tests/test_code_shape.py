"""The shape of the code, checked: dependencies between the project's modules
point one way, so no module needs an import hidden inside a function to
dodge a circle (docs: README, "How it fits together")."""

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "accounts",
    "api",
    "classes",
    "config",
    "grader",
    "learning",
    "lessons",
    "sandboxes",
    "teaching",
)
# Imports that belong inside a function for a reason other than a circle:
# AppConfig.ready() runs once the apps are loaded (Django's rule), and
# `manage.py author` builds the ASGI application (which starts the grader)
# only when it serves.
ALLOWED_INSIDE_FUNCTIONS = {
    ("api/apps.py", "api.callbacks"),
    ("api/apps.py", "grader.periodic"),
    ("lessons/management/commands/author.py", "config.asgi"),
}


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (PROJECT / package).rglob("*.py"):
            parts = path.relative_to(PROJECT).parts
            # Migrations, course content and the harness (which runs inside the
            # sandbox image, not in the project) are not the project's modules.
            if {"migrations", "content", "images"} & set(parts):
                continue
            name = ".".join(path.relative_to(PROJECT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def first_party(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def imported(node: ast.AST) -> list[str]:
    """The modules an import statement names; [] for any other node."""
    if isinstance(node, ast.ImportFrom) and node.module in PACKAGES:
        # `from config import refusals` names config.refusals.
        return [f"{node.module}.{alias.name}" for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [node.module]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def test_no_first_party_import_hides_in_a_function() -> None:
    hidden = []
    for path in project_modules().values():
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                for module in imported(node):
                    where = str(path.relative_to(PROJECT))
                    if first_party(module) and (where, module) not in ALLOWED_INSIDE_FUNCTIONS:
                        hidden.append(f"{where}:{getattr(node, 'lineno', 0)} imports {module}")
    assert hidden == []


def test_module_level_imports_have_no_circle() -> None:
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.parse(path.read_text()).body:
            for module in imported(node):
                # `from grader import dispatch` names the module grader.dispatch.
                if isinstance(node, ast.ImportFrom):
                    targets.update(
                        f"{module}.{alias.name}"
                        for alias in node.names
                        if f"{module}.{alias.name}" in modules
                    )
                if module in modules:
                    targets.add(module)
        graph[name] = targets - {name}

    circles: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        for target in sorted(graph.get(name, ())):
            if target in path:
                circles.append([*path[path.index(target) :], target])
            elif target not in done:
                visit(target, [*path, target])
        done.add(name)

    for name in sorted(graph):
        visit(name, [name])
    assert circles == []


# What each app may import of the others: content at the bottom, submissions
# over it, the API over both (README, "How it fits together"). config is
# the project's wiring; only its leaf modules are for apps to import, but
# `manage.py author` serves the whole site.
MAY_IMPORT = {
    "sandboxes": set(),
    "accounts": {"config.refusals", "lessons"},
    "lessons": {"config.refusals", "config.read_only_admin", "sandboxes"},
    "classes": {"config.refusals", "config.read_only_admin", "lessons"},
    "learning": {"config.refusals", "config.read_only_admin", "lessons", "classes"},
    "grader": {
        "config.refusals",
        "config.read_only_admin",
        "config.celery",
        "lessons",
        "classes",
        "learning",
        "sandboxes",
        "accounts",
    },
    "teaching": {
        "config.refusals",
        "config.read_only_admin",
        "lessons",
        "classes",
        "learning",
        "grader",
        "accounts",
    },
    "api": {
        "config.refusals",
        "lessons",
        "classes",
        "learning",
        "grader",
        "teaching",
        "sandboxes",
        "accounts",
    },
}


def test_apps_import_only_what_is_below_them() -> None:
    wrong = []
    for name, path in project_modules().items():
        app = name.split(".")[0]
        if app not in MAY_IMPORT:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            for module in imported(node):
                other = module.split(".")[0]
                where = str(path.relative_to(PROJECT))
                if not first_party(module) or other == app:
                    continue
                if (where, module) in ALLOWED_INSIDE_FUNCTIONS:
                    continue
                allowed = MAY_IMPORT[app]
                if other not in allowed and not any(
                    module == leaf or module.startswith(f"{leaf}.") for leaf in allowed
                ):
                    wrong.append(f"{where} imports {module}")
    assert wrong == []
