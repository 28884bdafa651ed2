"""Typed access to the environment: the one place settings read it.

Every helper fails loudly with the variable's name and what was wrong, so a
typo in a deployment's environment stops the process at start-up instead of
turning into a surprising default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: object) -> str | None:
    value = os.environ.get(name)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"Set the environment variable {name}; it has no default.")
        return None
    return value


def env_str(name: str, default: str | object = _MISSING) -> str:
    value = _raw(name, default)
    return str(default) if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name, default)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1/0, true/false, yes/no.")


def _env_number(
    name: str, default: float, minimum: float | None, parse: type[int] | type[float], kind: str
) -> float:
    value = _raw(name, default)
    if value is None:
        return default
    try:
        number = parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not {kind}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    return int(_env_number(name, default, minimum, int, "a whole number"))


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    return float(_env_number(name, default, minimum, float, "a number"))


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name, default)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value
