"""The pool of pre-started sandboxes: a container serves one submission and is
gone; the pool refills, follows a rebuilt image, survives the engine going
away and leaves nothing behind when its process stops."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest
from django.contrib.auth.models import User

from grader.models import Submission
from grader.services import grade_submission, submission_create
from lessons.models import Exercise
from sandboxes.engine import docker_client_forget
from sandboxes.harness import HarnessMode
from sandboxes.limits import limits_resolve
from sandboxes.pool import SandboxPool
from sandboxes.runner import (
    POOLED_LABEL,
    SandboxUnavailable,
    sandbox_pool,
    sandbox_pool_stop,
    sandbox_profile,
)
from tests.conftest import exercise_files
from tests.docker_proxy import DockerProxy
from tests.live_server import daphne_server, live_database_url
from tests.sandboxes.runs import marker, probe_failures, run_probe, sandbox_containers
from tests.support.waiting import wait_until

pytestmark = pytest.mark.docker

FUNCTION_MODE = HarnessMode(mode="function")


@pytest.fixture
def pool(settings: Any) -> Iterator[SandboxPool]:
    """A pool of this process started afresh (so its thread's engine client is
    made now, with this test's DOCKER_HOST), removed after the test."""
    settings.SANDBOX_POOL_SIZE = 2
    sandbox_pool_stop()
    started = sandbox_pool()
    assert started is not None
    yield started
    sandbox_pool_stop()


def filled(pool: SandboxPool, profile: Any, count: int) -> None:
    pool.want([profile])
    wait_until(lambda: pool.stats()["idle"] >= count, f"{count} idle containers in the pool")


PROBE_LEAVE_BEHIND = r"""
import os, subprocess, time

MARK = "lectern-pool-" + "leftover"

def leave_things_behind():
    with open("/tmp/left-behind", "w") as handle:
        handle.write("from the last submission")
    code = f"import time; time.sleep(600)  # {MARK}"
    pid = subprocess.Popen(["python3", "-c", code], start_new_session=True).pid
    # Popen returns once exec began; the new command line shows a moment later.
    while str(pid) not in marked_processes():
        time.sleep(0.01)
    return "left"

def marked_processes():
    processes = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if MARK.encode() in open(f"/proc/{pid}/cmdline", "rb").read():
                processes.append(pid)
        except OSError:
            pass
    return processes

def what_is_left():
    print("LEFT", __import__("json").dumps(
        {"file": os.path.exists("/tmp/left-behind"), "processes": marked_processes()}), flush=True)
    return "looked"
"""


def test_a_pooled_container_is_never_used_twice(pool: SandboxPool) -> None:
    filled(pool, sandbox_profile(FUNCTION_MODE, limits_resolve()), 2)

    first = run_probe(
        PROBE_LEAVE_BEHIND,
        "from probe import leave_things_behind\n"
        "def test_leave():\n    assert leave_things_behind() == 'left'\n",
    )
    second = run_probe(
        PROBE_LEAVE_BEHIND,
        "from probe import what_is_left\ndef test_look():\n    assert what_is_left() == 'looked'\n",
    )

    assert probe_failures(first) == {} and probe_failures(second) == {}
    assert first.pooled and second.pooled
    assert first.container_id != second.container_id
    assert marker(second, "LEFT") == {"file": False, "processes": []}


def test_the_pool_refills_after_each_claim(pool: SandboxPool) -> None:
    profile = sandbox_profile(FUNCTION_MODE, limits_resolve())
    filled(pool, profile, 2)
    taken = [pool.claim(profile) for _ in range(2)]
    assert None not in taken

    # Claimed ones are the caller's: the pool starts others in their place.
    wait_until(lambda: pool.stats()["idle"] == 2, "the pool refilled")
    assert pool.stats()["hits"] >= 2
    for sandbox in taken:
        assert sandbox is not None
        pool.discard(sandbox)


def test_an_exercise_with_its_own_limits_gets_a_container_with_them(
    pool: SandboxPool, runtime: str
) -> None:
    filled(pool, sandbox_profile(FUNCTION_MODE, limits_resolve({"memory_mb": 128})), 1)

    run = run_probe(
        "def memory_max():\n"
        "    seen = 'unreadable'\n"
        "    for path in ('/sys/fs/cgroup/memory.max',\n"
        "                 '/sys/fs/cgroup/memory/memory.limit_in_bytes'):\n"
        "        try:\n"
        "            seen = open(path).read().strip()\n"
        "        except OSError:\n"
        "            pass\n"
        "    print('MEMORY', repr(seen))\n",
        "from probe import memory_max\ndef test_memory():\n    memory_max()\n",
        memory_mb=128,
    )

    assert run.pooled, run
    assert probe_failures(run) == {} and len(run.tests) == 1, run
    seen = run.tests[0].output
    if runtime == "runc":
        assert f"MEMORY '{128 * 1024 * 1024}'" in seen, seen
    # And the limit holds (whatever gVisor shows of the cgroup): 160 MB would
    # fit in the default limit, not in this one.
    hoard = run_probe(
        "def hoard():\n"
        "    kept = [bytearray(8_000_000) for _ in range(20)]\n"
        "    return len(kept)\n",
        "from probe import hoard\ndef test_hoard():\n    assert hoard() == 20\n",
        memory_mb=128,
    )
    assert hoard.pooled
    assert hoard.status == "memory_limit"


def test_a_rebuilt_image_drains_the_pool(pool: SandboxPool, settings: Any) -> None:
    client = docker.from_env()
    name = "lectern-sandbox:pool-test"
    client.images.get(settings.SANDBOX_IMAGE).tag(name)
    settings.SANDBOX_IMAGE = name
    try:
        profile = sandbox_profile(FUNCTION_MODE, limits_resolve())
        filled(pool, profile, 2)
        old_id = client.images.get(name).id
        # "A rebuild": the same name, a new ID (a commit adds a label, nothing else).
        base = client.containers.create(name, command=["--mode", "function"])
        try:
            base.commit(repository="lectern-sandbox", tag="pool-test", changes=["LABEL rebuilt=1"])
        finally:
            base.remove(force=True)
        new_id = client.images.get(name).id
        assert new_id != old_id

        def all_from_the_new_image() -> bool:
            sandbox = pool.claim(profile)
            if sandbox is None:
                return False
            image = client.api.inspect_container(sandbox.connection.container_id)["Image"]
            pool.discard(sandbox)
            return bool(image == new_id)

        wait_until(all_from_the_new_image, "a container of the rebuilt image from the pool")
        run = run_probe(
            "def one():\n    return 1\n",
            "from probe import one\ndef test_one():\n    assert one() == 1\n",
        )
        assert probe_failures(run) == {}
        assert client.api.inspect_container(run.container_id)["Image"] == new_id
    finally:
        settings.SANDBOX_IMAGE = "lectern-sandbox:latest"
        sandbox_pool_stop()
        client.images.remove(name, force=True)


@pytest.fixture
def engine_through_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[DockerProxy]:
    proxy = DockerProxy(tmp_path / "docker.sock")
    proxy.engine_up()
    monkeypatch.setenv("DOCKER_HOST", proxy.url)
    docker_client_forget()
    yield proxy
    proxy.engine_down()
    monkeypatch.undo()
    docker_client_forget()


@pytest.mark.django_db(transaction=True)
def test_the_pool_survives_the_engine_going_away(
    engine_through_proxy: DockerProxy, flask_exercise: Exercise, learner: User, settings: Any
) -> None:
    settings.SANDBOX_POOL_SIZE = 2
    sandbox_pool_stop()
    pool = sandbox_pool()
    assert pool is not None
    try:
        profile = sandbox_profile(
            HarnessMode.from_dict(flask_exercise.harness), limits_resolve(flask_exercise.limits)
        )
        filled(pool, profile, 2)

        engine_through_proxy.engine_down()
        submission = submission_create(
            exercise=flask_exercise, files=exercise_files("solution"), user=learner
        )
        # The pooled containers went with the engine: the grading says so, and
        # the submission waits in the queue.
        with pytest.raises(SandboxUnavailable):
            grade_submission(submission.id)
        submission.refresh_from_db()
        assert submission.status == Submission.Status.QUEUED
        assert submission.grading_attempts == 0
        wait_until(lambda: pool.stats()["idle"] == 0, "the pool emptied")

        engine_through_proxy.engine_up()
        wait_until(lambda: pool.stats()["idle"] == 2, "the pool refilled")
        assert grade_submission(submission.id)
        submission.refresh_from_db()
        assert submission.status == Submission.Status.COMPLETED
        assert submission.result_status == "pass"
        assert (submission.result or {})["timings"]["sandbox"] == "pooled"
        assert submission.grading_attempts == 1
    finally:
        sandbox_pool_stop()


@pytest.mark.django_db(transaction=True)
def test_stopping_the_server_leaves_no_sandbox_behind(
    flask_exercise: Exercise, learner: User, tmp_path: Path
) -> None:
    with daphne_server(
        database_url=live_database_url(), log_dir=tmp_path, SANDBOX_POOL_SIZE="2"
    ) as site:
        site.log_in_as(learner)
        site.get(f"/courses/{flask_exercise.course.slug}/hello-flask/")
        _, created = site.post_json(
            f"/exercises/{flask_exercise.slug}/submissions/", {"files": exercise_files("solution")}
        )
        site.listen(created["id"], until=lambda m: m.get("type") == "completed")

        def pool_full() -> bool:
            sandbox = site.get_json("/healthz")[1]["checks"]["sandbox"]
            return bool(sandbox.get("pool", {}).get("idle") == 2)

        wait_until(pool_full, "the server's pool is full")
        assert site.process is not None
        pid = site.process.pid
        assert len(pooled_by(pid)) >= 2
    # Leaving the block sent SIGTERM and waited for the server to exit.
    assert pooled_by(pid) == []


def pooled_by(pid: int) -> list[str]:
    """The containers in the pool of process `pid` (of this host)."""
    return [
        container_id
        for container_id, labels in sandbox_containers().items()
        if labels.get(POOLED_LABEL, "").endswith(f":{pid}")
    ]
