"""What the pool keeps and when, with its container starter replaced by a
recorder (test_pool.py runs the real one against the engine)."""

import itertools
from collections.abc import Iterator

import pytest

from sandboxes.pool import SandboxPool, SandboxProfile, StartedSandbox
from tests.support.waiting import wait_until


def profile(memory_mb: int = 256, image: str = "sandbox:latest") -> SandboxProfile:
    return SandboxProfile(
        image=image, runtime="", mode="http", preload=(), memory_mb=memory_mb, pids=64, cpus=1.0
    )


class FakeEngine:
    def __init__(self) -> None:
        self.image_ids = {"sandbox:latest": "sha256:one"}
        self.numbers = itertools.count(1)
        self.discarded: list[int] = []

    def start(self, wanted: SandboxProfile, warm_up: bool) -> StartedSandbox:
        return StartedSandbox(
            connection=next(self.numbers),
            profile=wanted,
            image_id=self.image_ids[wanted.image],
            warmed_up=warm_up,
        )

    def discard(self, sandbox: StartedSandbox) -> None:
        self.discarded.append(sandbox.connection)

    def image(self, name: str) -> str:
        return self.image_ids.get(name, "")


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def pool(engine: FakeEngine) -> Iterator[SandboxPool]:
    started = SandboxPool(
        size=4,
        max_age_seconds=300,
        start=engine.start,
        discard=engine.discard,
        image=engine.image,
    )
    yield started
    started.stop()


def test_a_claimed_container_is_never_handed_out_again(pool: SandboxPool) -> None:
    pool.want([profile()])
    wait_until(lambda: pool.stats()["idle"] == 4, "the pool filled")

    claimed = [pool.claim(profile()) for _ in range(8)]
    numbers = [sandbox.connection for sandbox in claimed if sandbox is not None]
    assert len(numbers) == len(set(numbers))
    assert pool.stats()["hits"] == len(numbers)
    assert pool.stats()["misses"] == 8 - len(numbers)


def test_containers_skip_the_warm_up_while_gradings_outpace_the_pool(
    pool: SandboxPool,
) -> None:
    pool.want([profile()])
    wait_until(lambda: pool.stats()["idle"] == 4, "the pool filled")
    # Filled ahead of any claim: they may wait, so pytest was warmed up in each.
    warmed = [pool.claim(profile()) for _ in range(4)]
    assert all(sandbox is not None and sandbox.warmed_up for sandbox in warmed)

    # A claim that finds the pool empty: what is started next goes without it.
    pool.claim(profile())
    wait_until(lambda: pool.stats()["idle"] == 4, "the pool refilled")
    refilled = [pool.claim(profile()) for _ in range(4)]
    assert all(sandbox is not None and not sandbox.warmed_up for sandbox in refilled)


def test_room_goes_to_the_profiles_claimed_most(pool: SandboxPool) -> None:
    busy, rare = profile(256), profile(512)
    for _ in range(3):
        pool.claim(busy)
    pool.claim(rare)

    # Each gets one; the two left go by demand (3 to 1).
    assert pool.targets() == {rare: 1, busy: 3}


def test_a_profile_nobody_claims_gives_its_room_back(pool: SandboxPool) -> None:
    old = profile(128)
    pool.claim(old)
    for memory in (256, 384, 512, 640):
        pool.claim(profile(memory))

    assert old not in pool.targets()
    assert sum(pool.targets().values()) == 4


def test_a_rebuilt_image_drains_the_old_containers(pool: SandboxPool, engine: FakeEngine) -> None:
    pool.want([profile()])
    wait_until(lambda: pool.stats()["idle"] == 4, "the pool filled")
    first = set(range(1, 5))

    engine.image_ids["sandbox:latest"] = "sha256:two"
    wait_until(lambda: first <= set(engine.discarded), "the old containers were discarded")
    wait_until(lambda: pool.stats()["idle"] == 4, "the pool refilled")
    sandbox = pool.claim(profile())
    assert sandbox is not None and sandbox.image_id == "sha256:two"


def test_an_image_that_is_missing_is_not_started(pool: SandboxPool, engine: FakeEngine) -> None:
    pool.want([profile(image="sandbox:missing"), profile()])
    # Half the room is the missing image's, and stays empty.
    wait_until(lambda: pool.stats()["idle"] == 2, "the pool filled what it can")

    assert pool.claim(profile(image="sandbox:missing")) is None


def test_old_containers_are_replaced(engine: FakeEngine) -> None:
    pool = SandboxPool(
        size=1, max_age_seconds=0.2, start=engine.start, discard=engine.discard, image=engine.image
    )
    try:
        pool.want([profile()])
        wait_until(lambda: 1 in engine.discarded, "the first container was retired")
        wait_until(lambda: pool.stats()["idle"] == 1, "a new one took its place")
    finally:
        pool.stop()


def test_stopping_discards_everything_idle(pool: SandboxPool, engine: FakeEngine) -> None:
    pool.want([profile()])
    wait_until(lambda: pool.stats()["idle"] == 4, "the pool filled")
    pool.stop()

    assert pool.stats()["idle"] == 0
    assert sorted(engine.discarded) == sorted(set(engine.discarded))
    assert len(engine.discarded) >= 4
