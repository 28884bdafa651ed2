"""Pre-started sandboxes (docs/sandbox.md, "The pool").

A grading that finds a container of its profile here skips the container's
creation and start, the interpreter's start-up, the imports of pytest and the
frameworks, and pytest's own first session: the supervisor inside is already
waiting for its job. Each container still serves one submission: a claimed
container leaves the pool for good and is removed after its run.

This module decides what to keep and when; runner.py creates, attaches and
removes the containers, through the two functions it hands to the pool.
"""

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandboxes.engine import SandboxUnavailable

logger = logging.getLogger(__name__)

# After an engine error, seconds before the pool tries to start containers again.
ENGINE_BACKOFF_SECONDS = 2.0
# How often the refill thread looks at the image tag and the containers' ages.
CHECK_SECONDS = 1.0
# Claims older than this no longer count towards which profiles the pool keeps.
DEMAND_WINDOW_SECONDS = 600.0
# A claim that finds no container, or one started less than SOON_CLAIMED_SECONDS
# ago, means gradings outpace the pool: for HURRIED_SECONDS after it, containers
# start without pytest's warm-up session. It only pays for itself while a
# container waits; in a burst it would be CPU taken from the gradings.
SOON_CLAIMED_SECONDS = 2.0
HURRIED_SECONDS = 10.0


@dataclass(frozen=True)
class SandboxProfile:
    """What a container is created with before its job is known. Containers of
    one profile are interchangeable; what differs per job (files, tests, the
    wall and output limits) is sent when it is claimed."""

    image: str
    runtime: str
    mode: str
    preload: tuple[str, ...]
    memory_mb: int
    pids: int
    cpus: float


@dataclass
class StartedSandbox:
    """A running container, attached, whose supervisor waits for its job.
    `connection` is the runner's (the container and its attach socket);
    `image_id` the ID of the image it was created from; `warmed_up` whether
    its test runner was asked for pytest's warm-up session."""

    connection: Any
    profile: SandboxProfile
    image_id: str
    warmed_up: bool = True
    started_at: float = field(default_factory=time.monotonic)


# Starts a container of the profile; the flag asks for pytest's warm-up.
Starter = Callable[[SandboxProfile, bool], StartedSandbox]
Discarder = Callable[[StartedSandbox], None]
# The ID of the image a name stands for now, "" when there is none.
ImageResolver = Callable[[str], str]


class SandboxPool:
    """Keeps up to `size` started containers, split between the profiles that
    were claimed lately (every one of them gets at least one while there is
    room, the rest go by how often each was claimed)."""

    def __init__(
        self,
        *,
        size: int,
        max_age_seconds: float,
        start: Starter,
        discard: Discarder,
        image: ImageResolver,
    ) -> None:
        self.size = size
        self.max_age_seconds = max_age_seconds
        self._start = start
        self._discard = discard
        self._image = image
        self._lock = threading.Condition()
        self._idle: dict[SandboxProfile, deque[StartedSandbox]] = {}
        self._claims: deque[tuple[float, SandboxProfile]] = deque()
        self._last_claimed: dict[SandboxProfile, float] = {}
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._image_ids: dict[str, str] = {}
        self._hurried_until = 0.0
        self.hits = 0
        self.misses = 0
        self.engine_error = ""

    # --- what gradings call ------------------------------------------------------

    def claim(self, profile: SandboxProfile) -> StartedSandbox | None:
        """A started container of `profile`, taken out of the pool for good, or
        None (the caller starts a fresh one); the pool refills behind it."""
        with self._lock:
            self._ensure_running()
            now = time.monotonic()
            self._claims.append((now, profile))
            self._last_claimed[profile] = now
            idle = self._idle.get(profile)
            sandbox = idle.popleft() if idle else None
            if sandbox is None:
                self.misses += 1
            else:
                self.hits += 1
            if sandbox is None or now - sandbox.started_at < SOON_CLAIMED_SECONDS:
                self._hurried_until = now + HURRIED_SECONDS
            self._lock.notify_all()
            return sandbox

    def discard(self, sandbox: StartedSandbox) -> None:
        """Remove a claimed container that will not be given its job."""
        self._discard(sandbox)

    def want(self, profiles: list[SandboxProfile]) -> None:
        """Profiles to keep before anything is claimed (the grader's guess at
        start-up: the exercises learners worked on last)."""
        with self._lock:
            for profile in profiles:
                self._last_claimed.setdefault(profile, 0.0)
            self._ensure_running()
            self._lock.notify_all()

    def stop(self) -> None:
        """Stop refilling and remove every idle container."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self._drain()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "size": self.size,
                "idle": sum(len(idle) for idle in self._idle.values()),
                "hits": self.hits,
                "misses": self.misses,
            }

    # --- the refill thread ---------------------------------------------------------

    def _ensure_running(self) -> None:
        if self._thread is None and not self._stopping and self.size > 0:
            self._thread = threading.Thread(
                target=self._refill_forever, name="sandbox-pool", daemon=True
            )
            self._thread.start()

    def _refill_forever(self) -> None:
        checked_at = 0.0
        while True:
            with self._lock:
                if self._stopping:
                    return
            try:
                if time.monotonic() - checked_at >= CHECK_SECONDS or self._new_images():
                    checked_at = time.monotonic()
                    self._check_images()
                    self._retire_old()
                profile = self._next_to_fill()
                if profile is None:
                    with self._lock:
                        if not self._stopping:
                            self._lock.wait(timeout=CHECK_SECONDS)
                    continue
                self._fill(profile)
                self.engine_error = ""
            except SandboxUnavailable as error:
                # The engine went away: what the pool holds went with it. The
                # gradings themselves report the grader unavailable, as without a pool.
                if not self.engine_error:
                    logger.warning("sandbox pool paused: %s", error)
                self.engine_error = str(error)
                self._drain()
                with self._lock:
                    if not self._stopping:
                        self._lock.wait(timeout=ENGINE_BACKOFF_SECONDS)
            except Exception:
                logger.exception("the sandbox pool could not start a container")
                with self._lock:
                    if not self._stopping:
                        self._lock.wait(timeout=ENGINE_BACKOFF_SECONDS)

    def _fill(self, profile: SandboxProfile) -> None:
        with self._lock:
            warm_up = time.monotonic() >= self._hurried_until
        sandbox = self._start(profile, warm_up)
        with self._lock:
            keep = not self._stopping and sandbox.image_id == self._image_ids.get(profile.image)
            if keep:
                self._idle.setdefault(profile, deque()).append(sandbox)
        if not keep:
            self._discard(sandbox)

    def _new_images(self) -> bool:
        with self._lock:
            return any(profile.image not in self._image_ids for profile in self._last_claimed)

    def _check_images(self) -> None:
        """A rebuilt image (the same name, a new ID) drains what was started from the old one."""
        with self._lock:
            names = {profile.image for profile in [*self._idle, *self._last_claimed]}
        image_ids = {name: self._image(name) for name in names}
        with self._lock:
            self._image_ids = image_ids
            stale: list[StartedSandbox] = []
            for profile, idle in self._idle.items():
                current = image_ids.get(profile.image)
                stale += [sandbox for sandbox in idle if sandbox.image_id != current]
                self._idle[profile] = deque(s for s in idle if s.image_id == current)
        if stale:
            logger.info("sandbox image changed: %d pooled containers drained", len(stale))
        for sandbox in stale:
            self._discard(sandbox)

    def _retire_old(self) -> None:
        """Containers older than the limit are replaced: a long wait must not
        leave gradings on a container started hours ago."""
        now = time.monotonic()
        old: list[StartedSandbox] = []
        with self._lock:
            for idle in self._idle.values():
                while idle and now - idle[0].started_at > self.max_age_seconds:
                    old.append(idle.popleft())
        for sandbox in old:
            self._discard(sandbox)

    def _drain(self) -> None:
        with self._lock:
            drained = [sandbox for idle in self._idle.values() for sandbox in idle]
            self._idle.clear()
        for sandbox in drained:
            with contextlib.suppress(Exception):
                self._discard(sandbox)

    def targets(self) -> dict[SandboxProfile, int]:
        """How many idle containers to keep of each profile."""
        with self._lock:
            now = time.monotonic()
            while self._claims and now - self._claims[0][0] > DEMAND_WINDOW_SECONDS:
                self._claims.popleft()
            counts: dict[SandboxProfile, int] = {}
            for _, profile in self._claims:
                counts[profile] = counts.get(profile, 0) + 1
            # The most recently claimed first; the pool never keeps more
            # profiles than it has room for.
            ranked = sorted(self._last_claimed, key=lambda p: -self._last_claimed[p])
            for forgotten in ranked[self.size :]:
                del self._last_claimed[forgotten]
            ranked = ranked[: self.size]
            targets = dict.fromkeys(ranked, 1)
            room = self.size - len(ranked)
            demand = sum(counts.get(profile, 0) for profile in ranked)
            if room > 0 and demand:
                for profile in ranked:
                    targets[profile] += room * counts.get(profile, 0) // demand
                spare = self.size - sum(targets.values())
                for profile in sorted(ranked, key=lambda p: -counts.get(p, 0))[:spare]:
                    targets[profile] += 1
            elif ranked:
                # Nothing claimed yet (profiles the grader named at start): in turn.
                for index in range(room):
                    targets[ranked[index % len(ranked)]] += 1
            return targets

    def _next_to_fill(self) -> SandboxProfile | None:
        targets = self.targets()
        with self._lock:
            if self._stopping:
                return None
            # Profiles no longer wanted give their containers back.
            unwanted = [p for p in self._idle if p not in targets and self._idle[p]]
            surplus = [self._idle[p].popleft() for p in unwanted]
            # The profile furthest below its target first; none whose image is missing.
            short = sorted(
                (len(self._idle.get(profile, ())) - target, index, profile)
                for index, (profile, target) in enumerate(targets.items())
                if len(self._idle.get(profile, ())) < target and self._image_ids.get(profile.image)
            )
        for sandbox in surplus:
            self._discard(sandbox)
        return short[0][2] if short else None
