"""How an exercise's tests reach the learner's code inside the sandbox
(docs/authoring.md, "Two ways to test"), and what the learner process imports
before a job arrives so that its start-up is not paid per submission."""

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# function: the tests import stand-ins whose calls run in the learner process.
# http: the learner's app is served by a real server; tests use an httpx client.
# shared: the learner's code is imported into the test process (forgeable).
HARNESS_MODES = ("function", "http", "shared")
# Packages of the sandbox image worth importing ahead in the learner process:
# the frameworks, which take the longest.
_PRELOADABLE = ("django", "fastapi", "flask", "pydantic", "sqlalchemy", "starlette", "werkzeug")
_WSGI_FRAMEWORKS = {"django", "flask", "werkzeug"}
_ASGI_FRAMEWORKS = {"fastapi", "starlette"}
# What the harness's learner_http imports to serve each kind (uvicorn imports
# the last three by name when a server starts).
_WSGI_SERVER = ("waitress.server",)
_ASGI_SERVER = (
    "uvicorn",
    "uvicorn.lifespan.on",
    "uvicorn.loops.asyncio",
    "uvicorn.protocols.http.h11_impl",
)


@dataclass(frozen=True)
class HarnessMode:
    """`mode` is one of HARNESS_MODES; `app` names the learner's application
    (`module:attribute`) in http mode; `preload` lists modules the learner
    process imports before the job arrives."""

    mode: str = "function"
    app: str = ""
    preload: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "HarnessMode":
        data = data or {}
        return cls(
            mode=str(data.get("mode", "function")),
            app=str(data.get("app", "")),
            preload=tuple(str(name) for name in data.get("preload", ())),
        )

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "app": self.app, "preload": list(self.preload)}


def harness_preload(*, mode: str, reference_files: Mapping[str, str]) -> tuple[str, ...]:
    """The frameworks the exercise's reference solution imports, and the harness
    modules the mode needs in the learner process."""
    imported: set[str] = set()
    for name, source in reference_files.items():
        if not name.endswith(".py"):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    preload = [name for name in _PRELOADABLE if name in imported]
    if mode == "http":
        preload.append("learner_http")
        # A bare WSGI or ASGI callable imports no framework: either server may serve it.
        asgi = bool(imported & _ASGI_FRAMEWORKS) or not imported & _WSGI_FRAMEWORKS
        wsgi = bool(imported & _WSGI_FRAMEWORKS) or not imported & _ASGI_FRAMEWORKS
        preload.extend([*(_WSGI_SERVER if wsgi else ()), *(_ASGI_SERVER if asgi else ())])
    elif mode == "shared":
        preload.extend(["pytest", "child"])
    return tuple(preload)
