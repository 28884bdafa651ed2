"""What the client expects of each answer of the server, checked in one place
(Client), so that an answer of another shape (another program on that URL, a
proxy's page, a server of another version) stops the command with one clear
line and exit status 2, instead of a traceback with exit status 1, which a CI
job would read as "the tests failed".

A shape is a type (or a tuple of types) for a scalar, [shape] for a list of
them, {key: shape} for an object with at least those keys, MapOf(shape) for an
object of any keys, and Omittable(shape) for a key that may be missing (but,
when there, has that shape).
Only what the command reads is checked: the server may add fields.
"""

from dataclasses import dataclass
from typing import Any

Number = (int, float)


@dataclass(frozen=True)
class MapOf:
    values: Any


@dataclass(frozen=True)
class Omittable:
    shape: Any


def shape_problem(value: Any, shape: Any, where: str = "the answer") -> str | None:
    """None when `value` has `shape`, else where and how it differs."""
    if isinstance(shape, Omittable):
        return shape_problem(value, shape.shape, where)
    if isinstance(shape, list):
        if not isinstance(value, list):
            return f"{where} is {_kind(value)}, not a list"
        for index, item in enumerate(value):
            problem = shape_problem(item, shape[0], f"{where}[{index}]")
            if problem:
                return problem
        return None
    if isinstance(shape, dict | MapOf):
        if not isinstance(value, dict):
            return f"{where} is {_kind(value)}, not an object"
        items = shape.items() if isinstance(shape, dict) else ((k, shape.values) for k in value)
        for key, inner in items:
            if key not in value and isinstance(inner, Omittable):
                continue
            if key not in value:
                return f"{where} has no {key!r}"
            problem = shape_problem(value[key], inner, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    # bool is an int to Python, never a number or a string to the API.
    if isinstance(value, bool) and bool not in _types(shape):
        return f"{where} is {_kind(value)}"
    if not isinstance(value, shape):
        return f"{where} is {_kind(value)}"
    return None


def _types(shape: Any) -> tuple[type, ...]:
    return shape if isinstance(shape, tuple) else (shape,)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


ERROR = {"error": {"code": str, "message": str}}
_TOKEN = {"name": str}
ME = {"username": str, "token": _TOKEN}
TOKEN_CREATED = {"token": str, "name": str, "username": str}
EXERCISES = [{"slug": str, "title": str, "max_score": Number}]
EXERCISE = {
    "slug": str,
    "title": str,
    "accepted_files": [str],
    "starter_files": MapOf(str),
    "visible_tests": MapOf(str),
}
ACCEPTED = {"id": str, "urls": {"self": str, "websocket": str}}
_TEST = {
    "name": Omittable(str),
    "status": Omittable(str),
    "message": Omittable(str),
    "points": Omittable(Number),
    "max_points": Omittable(Number),
}
RESULT = {
    "status": str,
    "message": Omittable(str),
    "output": Omittable(str),
    "score": Omittable(Number),
    "max_score": Omittable(Number),
    "location": Omittable((dict, type(None))),
}
# What Progress reads of each kind of event; other kinds it ignores.
_EVENT_DATA = {
    "queued": {"position": Omittable(Number)},
    "position": {"position": Omittable(Number)},
    "grader": {"message": Omittable(str)},
    "started": {"tests": Omittable(list)},
    "test": _TEST,
    "completed": {"result": RESULT},
}


def event_shape(message: Any) -> Any:
    """The shape of one event (stored or not), by its type."""
    kind = message.get("type") if isinstance(message, dict) else None
    data = _EVENT_DATA.get(kind) if isinstance(kind, str) else None
    shape: dict[str, Any] = {"type": str, "seq": Omittable(int)}
    if data is not None:
        # `completed` without its result would leave the command with nothing to show.
        shape["data"] = data if kind == "completed" else Omittable(data)
    return shape


# Stored events, each with its seq (event_shape checks the rest, by type).
SUBMISSION = {"id": str, "status": str, "events": [{"seq": int, "type": str}]}
