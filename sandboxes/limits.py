"""Resource limits of one sandbox run: the platform defaults, an exercise's
overrides, and the maxima an exercise may not exceed (all from settings)."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

LIMIT_NAMES = ("wall_seconds", "memory_mb", "pids", "cpus", "output_kb")
_INTEGER_LIMITS = {"memory_mb", "pids", "output_kb"}
# Below these a run cannot even start Python and pytest.
_MINIMA = {"wall_seconds": 1.0, "memory_mb": 32, "pids": 8, "cpus": 0.1, "output_kb": 1}


class LimitError(ValueError):
    """An exercise asked for a limit that is unknown, malformed or out of range."""


@dataclass(frozen=True)
class SandboxLimits:
    wall_seconds: float
    memory_mb: int
    pids: int
    cpus: float
    output_kb: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def limits_resolve(overrides: Mapping[str, Any] | None = None) -> SandboxLimits:
    """The defaults with `overrides` applied; raises LimitError naming the bad key."""
    values: dict[str, Any] = dict(settings.SANDBOX_DEFAULT_LIMITS)
    maxima: Mapping[str, Any] = settings.SANDBOX_MAX_LIMITS
    for name, raw in (overrides or {}).items():
        if name not in LIMIT_NAMES:
            raise LimitError(f"unknown limit {name!r}; known limits: {', '.join(LIMIT_NAMES)}")
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise LimitError(f"limit {name!r} must be a number, not {raw!r}")
        if name in _INTEGER_LIMITS and raw != int(raw):
            raise LimitError(f"limit {name!r} must be a whole number, not {raw!r}")
        if raw < _MINIMA[name]:
            raise LimitError(f"limit {name!r}={raw} is below the minimum of {_MINIMA[name]}")
        if raw > maxima[name]:
            raise LimitError(
                f"limit {name!r}={raw} is above the platform maximum of {maxima[name]}"
            )
        values[name] = raw
    return SandboxLimits(
        wall_seconds=float(values["wall_seconds"]),
        memory_mb=int(values["memory_mb"]),
        pids=int(values["pids"]),
        cpus=float(values["cpus"]),
        output_kb=int(values["output_kb"]),
    )
