"""Runs one job in a fresh, locked-down container and relays what the harness
inside reports. With engine.py and image_build.py, the only code that talks
to Docker.

The container gets no network, a supervisor with no capabilities but the
two it needs to start the test runner and the learner process under uids of
their own, a read-only root file system with small tmpfs mounts for /work,
/grader and /tmp, no new privileges, memory equal to memory+swap, a pids
limit, a CPU limit, an empty environment and no log driver. The wall-clock
limit is enforced twice: the supervisor inside stops the tests in time to
report which one hung, and this module kills the container if the supervisor
does not finish a little later.
"""

import atexit
import json
import logging
import os
import queue
import secrets
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import docker
import docker.errors
import requests
from django.conf import settings
from docker.models.containers import Container
from docker.types import LogConfig, Ulimit

from sandboxes.engine import SandboxUnavailable, docker_client, docker_client_forget
from sandboxes.harness import HarnessMode
from sandboxes.limits import SandboxLimits, limits_resolve
from sandboxes.pool import SandboxPool, SandboxProfile, StartedSandbox
from sandboxes.protocol import HostRecord, message_encode, signed_record

logger = logging.getLogger(__name__)

# Time the supervisor gets beyond the wall limit to report before it is killed.
KILL_GRACE_SECONDS = 3.0
TMPFS_SIZE_MB = 16
HARNESS_STDERR_KEPT = 4096
# 128 + SIGKILL: what the engine reports for a container whose first process was killed.
KILLED_EXIT_CODE = 137
LABEL = "org.lectern.sandbox"
# On containers started ahead of their job, which may wait in a pool before
# it: the host and process whose pool it is.
POOLED_LABEL = "org.lectern.sandbox.pooled"
# Seconds a container may take from its creation to its first record.
START_SECONDS = 30.0
# A run still going after this long (most gradings take well under a second)
# has its CPU weight cut to a quarter: it keeps what newer runs leave over,
# so a queue of infinite loops does not hold up the correct submission behind
# it, yet a slow honest run still gets a share under load.
YIELD_AFTER_SECONDS = 0.5
YIELDED_CPU_SHARES = 256
# How often a running job asks whether it should stop (a learner's Cancel): a
# cancelled run ends within about this long.
STOP_CHECK_SECONDS = 0.5


# What talking to the engine can raise: the SDK's errors, and the HTTP
# library's when the engine's socket goes away under a kept-alive connection.
ENGINE_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException)


class SandboxFailure(Exception):
    """The sandbox ran but the harness inside did not report properly."""


@dataclass(frozen=True)
class SandboxJob:
    files: Mapping[str, str]
    visible_tests: Mapping[str, str]
    hidden_tests: Mapping[str, str]
    limits: SandboxLimits
    harness: HarnessMode = field(default_factory=HarnessMode)
    # Asked every STOP_CHECK_SECONDS while the job runs; True kills its container
    # and ends the run as "cancelled".
    should_stop: Callable[[], bool] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ReportedTest:
    """One test as the harness reported it. `outcome` is pass, fail, error or skip."""

    nodeid: str
    phase: str
    outcome: str
    message: str
    output: str
    duration_ms: int
    learner_error: dict[str, Any] | None
    # Tracebacks raised in the learner's own code while the test ran (say in a
    # view answering the test's request), and, for visible tests, the HTTP
    # exchanges the test made: method, path, status, content type, body excerpt.
    learner_tracebacks: tuple[str, ...] = ()
    exchanges: tuple[dict[str, Any], ...] = ()
    # A visible test's failed `assert got == expected`: {"got", "expected"} reprs.
    comparison: dict[str, str] | None = None


@dataclass(frozen=True)
class ReportedError:
    """A learner file that does not compile, or a test module that could not be imported."""

    kind: str
    phase: str
    exception: str
    location: dict[str, Any] | None
    message: str


@dataclass
class SandboxRun:
    # completed, timeout, memory_limit, output_limit, process_limit, crashed or tampered
    status: str = "completed"
    tests: list[ReportedTest] = field(default_factory=list)
    errors: list[ReportedError] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    current_test: str | None = None
    output: str = ""
    detail: str = ""
    pids_limit_hit: bool = False
    timings_ms: dict[str, int] = field(default_factory=dict)
    # The container it ran in, and whether that came from the pool.
    container_id: str = ""
    pooled: bool = False


def engine_check() -> None:
    """Raise SandboxUnavailable unless the engine answers and the image exists."""
    client = docker_client()
    try:
        client.ping()
        client.images.get(settings.SANDBOX_IMAGE)
    except docker.errors.ImageNotFound as error:
        raise SandboxUnavailable(_image_missing()) from error
    except ENGINE_ERRORS as error:
        docker_client_forget()
        raise SandboxUnavailable(f"The Docker engine stopped answering: {error}") from error


def _image_missing() -> str:
    return (
        f"The sandbox image {settings.SANDBOX_IMAGE} is missing: build it with "
        "`make setup` or `python manage.py sandbox_image`."
    )


# The supervisor starts as root with these capabilities only, to start the test
# runner and the learner process under uids of their own (they keep none).
SUPERVISOR_CAPABILITIES = ["SETUID", "SETGID"]
RUNNER_UID = 1000
LEARNER_UID = 1001


def sandbox_profile(harness: HarnessMode, limits: SandboxLimits) -> SandboxProfile:
    """What a container for such a job is created with (pooled ones are matched on it)."""
    return SandboxProfile(
        image=settings.SANDBOX_IMAGE,
        runtime=settings.SANDBOX_RUNTIME,
        mode=harness.mode,
        preload=harness.preload,
        memory_mb=limits.memory_mb,
        pids=limits.pids,
        cpus=limits.cpus,
    )


def _container_create(
    client: docker.DockerClient,
    profile: SandboxProfile,
    *,
    entrypoint: list[str] | None = None,
    pooled: bool = False,
    warm_up: bool = False,
) -> Container:
    """A container for the harness or, given `entrypoint` (the benchmark's bare
    pytest), one that runs it as the runner uid. `pooled`: started ahead of its
    job, for the pool; its supervisor then waits for the helpers' imports (and
    with `warm_up`, pytest's warm-up session) before taking the job."""
    tmpfs_options = f"rw,nosuid,nodev,noexec,size={TMPFS_SIZE_MB}m"
    labels = {LABEL: "1"}
    if entrypoint is None:
        user, capabilities = "0:0", SUPERVISOR_CAPABILITIES
        command = ["--mode", profile.mode, "--preload", ",".join(profile.preload)]
        if pooled:
            command += ["--pooled", "1", "--warm-up", "1" if warm_up else "0"]
            # Whose pool it is in: this host and process.
            labels[POOLED_LABEL] = f"{socket.gethostname()}:{os.getpid()}"
        work_owner = LEARNER_UID
    else:
        user, capabilities, command, work_owner = f"{RUNNER_UID}:{RUNNER_UID}", [], None, RUNNER_UID
    ulimits = [Ulimit(name="core", soft=0, hard=0), Ulimit(name="nofile", soft=256, hard=256)]
    pids_limit = profile.pids
    if profile.runtime == "runsc":
        # gVisor's kernel runs in the container's cgroup and needs host threads of
        # its own: a pids limit sized for learner processes would crash it. It
        # enforces RLIMIT_NPROC for the sandbox instead, so that is the limit
        # learner code meets, and the cgroup keeps only a backstop.
        ulimits.append(Ulimit(name="nproc", soft=profile.pids, hard=profile.pids))
        pids_limit = max(profile.pids * 8, 512)
    return client.containers.create(
        profile.image,
        entrypoint=entrypoint,
        command=command,
        runtime=profile.runtime or None,
        stdin_open=True,
        tty=False,
        network_mode="none",
        user=user,
        read_only=True,
        tmpfs={
            # The learner's files, and the test runner's, each out of the other's reach.
            "/work": f"{tmpfs_options},mode=0700,uid={work_owner},gid={work_owner}",
            "/grader": f"{tmpfs_options},mode=0700,uid={RUNNER_UID},gid={RUNNER_UID}",
            "/tmp": f"{tmpfs_options},mode=1777",  # noqa: S108 - the container's own /tmp
        },
        shm_size=f"{TMPFS_SIZE_MB}m",
        cap_drop=["ALL"],
        cap_add=capabilities,
        security_opt=["no-new-privileges"],
        mem_limit=f"{profile.memory_mb}m",
        memswap_limit=f"{profile.memory_mb}m",
        pids_limit=pids_limit,
        nano_cpus=int(profile.cpus * 1_000_000_000),
        ulimits=ulimits,
        environment={},
        hostname="sandbox",
        labels=labels,
        log_config=LogConfig(type="none"),
    )


def _raw_socket(attached: Any) -> socket.socket:
    # The SDK hands back a SocketIO for plain connections and a socket for TLS.
    return getattr(attached, "_sock", attached)


class _FrameReader:
    """Splits Docker's multiplexed attach stream into (stream id, payload) frames."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self, size: int, deadline: float) -> bool:
        while len(self.buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                return False
            self.buffer += chunk
        return True

    def frame(self, deadline: float) -> tuple[int, bytes] | None:
        if not self._fill(8, deadline):
            return None
        stream, size = struct.unpack(">BxxxL", self.buffer[:8])
        if not self._fill(8 + size, deadline):
            return None
        payload = self.buffer[8 : 8 + size]
        self.buffer = self.buffer[8 + size :]
        return stream, payload


def _comparison(value: object) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    got, expected = value.get("got"), value.get("expected")
    if not isinstance(got, str) or not isinstance(expected, str):
        return None
    return {"got": got, "expected": expected}


class _RecordCollector:
    """Turns the supervisor's signed JSON lines into a SandboxRun.

    Each line is "<hmac> <json>" under the run's key, numbered in order; a line
    that does not verify did not come from the supervisor (on gVisor, learner
    code can open the supervisor's stdout through /proc) and makes the run
    count as tampered.
    """

    def __init__(
        self,
        *,
        key: bytes,
        on_test: Callable[[ReportedTest], None] | None,
        on_awaiting_hidden: Callable[[], None],
        stdout_cap: int,
        wall_seconds: float,
    ) -> None:
        self.run = SandboxRun()
        self.wall_seconds = wall_seconds
        # Until the supervisor has the job, the container's start; then its wall limit.
        self.deadline = time.monotonic() + START_SECONDS
        self.ready_at = 0.0
        self.key = key
        self.on_test = on_test
        self.on_awaiting_hidden = on_awaiting_hidden
        self.stdout_cap = stdout_cap
        self.stdout_seen = 0
        self.partial = b""
        self.stderr = b""
        self.next_seq = 1
        self.forged = 0
        self.finished = False
        self.harness_error = ""

    def stdout(self, data: bytes) -> bool:
        """Consume supervisor output; False when it exceeds what a run may print."""
        self.stdout_seen += len(data)
        if self.stdout_seen > self.stdout_cap:
            return False
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        for line in lines:
            if line.strip():
                self.line(line)
        return True

    def line(self, line: bytes) -> None:
        record = signed_record(self.key, line)
        if record is None or record.get("seq") != self.next_seq:
            self.forged += 1
            return
        self.next_seq += 1
        self.record(record)

    def stderr_data(self, data: bytes) -> None:
        room = HARNESS_STDERR_KEPT - len(self.stderr)
        if room > 0:
            self.stderr += data[:room]

    def record(self, record: dict[str, Any]) -> None:
        kind = record.get("type")
        run = self.run
        logger.debug("sandbox record at %s ms: %s", record.get("at_ms"), kind)
        if kind == HostRecord.TEST:
            test = ReportedTest(
                nodeid=str(record["nodeid"]),
                phase=str(record["phase"]),
                outcome=str(record["outcome"]),
                message=str(record.get("message", "")),
                output=str(record.get("output", "")),
                duration_ms=int(record.get("duration_ms", 0)),
                learner_error=record.get("learner_error"),
                learner_tracebacks=tuple(str(t) for t in record.get("learner_tracebacks", ())),
                exchanges=tuple(e for e in record.get("exchanges", ()) if isinstance(e, dict)),
                comparison=_comparison(record.get("comparison")),
            )
            run.tests.append(test)
            if self.on_test is not None:
                self.on_test(test)
        elif kind in (HostRecord.SYNTAX_ERROR, HostRecord.COLLECT_ERROR):
            run.errors.append(
                ReportedError(
                    kind=str(kind),
                    phase=str(record["phase"]),
                    exception=str(record.get("exception", "")),
                    location=record.get("location"),
                    message=str(record.get("message", "")),
                )
            )
        elif kind == HostRecord.READY:
            self.ready_at = time.monotonic()
            self.deadline = self.ready_at + self.wall_seconds + KILL_GRACE_SECONDS
        elif kind == HostRecord.PHASE_START:
            run.phases.append(str(record["phase"]))
        elif kind == HostRecord.PHASE_END:
            if record.get("phase") == "visible" or not run.output:
                run.output = str(record.get("output", ""))
            run.pids_limit_hit = run.pids_limit_hit or bool(record.get("process_limit_reached"))
            if record["status"] != "completed":
                run.status = str(record["status"])
                run.current_test = record.get("current_test")
                run.detail = str(record.get("tampered") or "")
        elif kind == HostRecord.AWAITING_HIDDEN:
            self.on_awaiting_hidden()
        elif kind == HostRecord.FINISHED:
            self.finished = True
            run.timings_ms["harness"] = int(record.get("elapsed_ms", 0))
            run.timings_ms["cpu"] = int(record.get("cpu_ms", 0))
        elif kind == HostRecord.HARNESS_ERROR:
            self.harness_error = str(record.get("message", ""))


def sandbox_run(
    job: SandboxJob, on_test: Callable[[ReportedTest], None] | None = None
) -> SandboxRun:
    """Run the job's tests against its files in a container of its own: one
    from the pool when it has one of the job's profile, else a fresh one.

    `on_test` is called from this thread with each test as soon as the harness
    reports it. Raises SandboxUnavailable when Docker or the image cannot be
    used, and SandboxFailure when the harness broke down.
    """
    client = docker_client()
    began = time.monotonic()
    profile = sandbox_profile(job.harness, job.limits)
    pool = sandbox_pool()
    pooled = pool.claim(profile) if pool is not None else None
    if pooled is not None:
        run = _run_in(client, pooled.connection, job, on_test, began=began, pooled=True)
        if run is not None:
            return run
        # It died before its job (the engine restarted under it): a fresh one instead.
    attached = _sandbox_start(client, profile, pooled=False)
    run = _run_in(client, attached, job, on_test, began=began, pooled=False)
    assert run is not None  # only a pooled container is given up on
    return run


@dataclass(frozen=True)
class _Attached:
    container_id: str
    sock: socket.socket


def _sandbox_start(
    client: docker.DockerClient, profile: SandboxProfile, *, pooled: bool, warm_up: bool = False
) -> _Attached:
    """Create, attach to and start a container of `profile`."""
    try:
        container = _container_create(client, profile, pooled=pooled, warm_up=warm_up)
    except docker.errors.ImageNotFound as error:
        raise SandboxUnavailable(_image_missing()) from error
    except ENGINE_ERRORS as error:
        docker_client_forget()
        raise SandboxUnavailable(f"Could not create a sandbox container: {error}") from error
    container_id = str(container.id)
    try:
        sock = _raw_socket(
            client.api.attach_socket(
                container_id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
        )
        try:
            container.start()
        except BaseException:
            sock.close()
            raise
    except ENGINE_ERRORS as error:
        docker_client_forget()
        _remove_quietly(client, container_id)
        raise SandboxUnavailable(f"Could not start a sandbox container: {error}") from error
    except BaseException:
        _remove_quietly(client, container_id)
        raise
    return _Attached(container_id, sock)


def _run_in(
    client: docker.DockerClient,
    attached: _Attached,
    job: SandboxJob,
    on_test: Callable[[ReportedTest], None] | None,
    *,
    began: float,
    pooled: bool,
) -> SandboxRun | None:
    """Send the job to a started container and relay its records. None when a
    pooled container turns out dead before it took the job."""
    limits = job.limits
    sock = attached.sock
    key = secrets.token_bytes(32)
    collector = _RecordCollector(
        key=key,
        on_test=on_test,
        # Sent only when the supervisor asks, once the visible phase is over.
        on_awaiting_hidden=lambda: sock.sendall(
            message_encode({"hidden_tests": dict(job.hidden_tests)})
        ),
        # Learner output is capped inside; this bounds what a broken harness could send.
        stdout_cap=limits.output_kb * 1024 * 4 + 1024 * 1024,
        wall_seconds=limits.wall_seconds,
    )
    killed_for = ""
    removed_later = False
    try:
        try:
            sock.sendall(
                message_encode(
                    {
                        "key": key.hex(),
                        "files": dict(job.files),
                        "visible_tests": dict(job.visible_tests),
                        "limits": limits.as_dict(),
                        "harness": {"mode": job.harness.mode, "app": job.harness.app},
                    }
                )
            )
            killed_for = _relay(
                _FrameReader(sock),
                collector,
                on_slow=lambda: _cpu_weight_lower(client, attached.container_id),
                should_stop=job.should_stop,
            )
        except OSError:
            if not pooled:
                raise
            killed_for = "harness_error"
        finally:
            sock.close()
        if pooled and not collector.ready_at:
            logger.warning("a pooled sandbox was gone before its job; starting a fresh one")
            return None
        collector.run.timings_ms["sandbox_wait"] = int(
            ((collector.ready_at or time.monotonic()) - began) * 1000
        )
        collector.run.pooled = pooled
        collector.run.container_id = attached.container_id
        if collector.finished and not killed_for and not collector.forged:
            # The supervisor has said all it will; the learner's processes die
            # with the container, which is removed off the result's path.
            state: Mapping[str, Any] = {}
            _removal_queue().put(attached.container_id)
            removed_later = True
        else:
            if killed_for:
                _kill_quietly(client, attached.container_id)
            state = _wait_for_exit(client, attached.container_id)
    except ENGINE_ERRORS as error:
        # The engine went away (or refused to run the container) mid-run: the
        # run is incomplete, not the learner's doing, and worth another try.
        docker_client_forget()
        raise SandboxUnavailable(f"Lost the Docker engine while grading: {error}") from error
    finally:
        if not removed_later:
            _remove_quietly(client, attached.container_id)
    collector.run.timings_ms["total"] = int((time.monotonic() - began) * 1000)
    return _conclude(collector, state, killed_for)


def _relay(
    reader: _FrameReader,
    collector: _RecordCollector,
    on_slow: Callable[[], None],
    should_stop: Callable[[], bool] | None = None,
) -> str:
    """Feed frames to the collector until the stream ends; why it was cut short,
    if it was. `on_slow` is called once, when the job has run YIELD_AFTER_SECONDS;
    `should_stop` every STOP_CHECK_SECONDS, between frames or while none comes."""
    slow_called = False
    next_stop_check = time.monotonic() + STOP_CHECK_SECONDS
    try:
        while True:
            deadline = collector.deadline
            if collector.ready_at and not slow_called:
                deadline = min(deadline, collector.ready_at + YIELD_AFTER_SECONDS)
            if should_stop is not None:
                deadline = min(deadline, next_stop_check)
            waited_out = False
            try:
                frame = reader.frame(deadline)
            except TimeoutError:
                if time.monotonic() >= collector.deadline:
                    raise
                waited_out = True  # only a deadline of ours passed
            now = time.monotonic()
            if should_stop is not None and now >= next_stop_check:
                if should_stop():
                    return "cancelled"
                next_stop_check = now + STOP_CHECK_SECONDS
            if (
                collector.ready_at
                and not slow_called
                and now >= collector.ready_at + YIELD_AFTER_SECONDS
            ):
                on_slow()
                slow_called = True
            if waited_out:
                continue
            if frame is None:
                return ""
            stream, data = frame
            if stream == 2:
                collector.stderr_data(data)
            elif not collector.stdout(data):
                return "output_limit"
    except TimeoutError:
        return "timeout"
    except ValueError as error:  # undecodable record: the harness itself is broken
        collector.harness_error = f"unreadable harness record: {error}"
        return "harness_error"
    except OSError as error:
        collector.harness_error = f"lost the sandbox's output stream: {error}"
        return "harness_error"


def _cpu_weight_lower(client: docker.DockerClient, container_id: str) -> None:
    try:
        client.api.update_container(container_id, cpu_shares=YIELDED_CPU_SHARES)
    except ENGINE_ERRORS as error:
        # Finished and removed meanwhile, most likely; the run goes on either way.
        logger.debug("could not lower the CPU weight of %s: %s", container_id[:12], error)


def _kill_quietly(client: docker.DockerClient, container_id: str) -> None:
    try:
        client.api.kill(container_id)
    except ENGINE_ERRORS as error:
        # Already gone is fine; anything else the removal below will retry.
        logger.debug("kill of %s: %s", container_id[:12], error)


def _wait_for_exit(client: docker.DockerClient, container_id: str) -> dict[str, Any]:
    try:
        client.api.wait(container_id, timeout=10)
    except Exception:
        _kill_quietly(client, container_id)
        client.api.wait(container_id, timeout=10)
    return dict(client.api.inspect_container(container_id).get("State", {}))


def _remove_quietly(client: docker.DockerClient, container_id: str) -> None:
    try:
        client.api.remove_container(container_id, force=True, v=True)
    except docker.errors.NotFound:
        pass
    except ENGINE_ERRORS as error:
        # sandboxes_prune() removes it later.
        logger.error("could not remove sandbox container %s: %s", container_id[:12], error)
        if not isinstance(error, docker.errors.APIError):
            docker_client_forget()  # the connection itself broke


# --- removal off the result's path, and the pool --------------------------------

_removals: "queue.Queue[str] | None" = None
_removals_lock = threading.Lock()


def _removal_queue() -> "queue.Queue[str]":
    """Containers to remove, by one thread of this process (its own engine client)."""
    global _removals
    with _removals_lock:
        if _removals is None:
            _removals = queue.Queue()
            threading.Thread(
                target=_remove_forever, args=(_removals,), name="sandbox-removal", daemon=True
            ).start()
            atexit.register(sandboxes_removals_wait)
        return _removals


def _remove_forever(removals: "queue.Queue[str]") -> None:
    while True:
        container_id = removals.get()
        try:
            _remove_quietly(docker_client(), container_id)
        except SandboxUnavailable:
            docker_client_forget()  # the prune removes it once the engine is back
        except Exception:
            logger.exception("removing sandbox container %s failed", container_id[:12])
        finally:
            if removals.empty():
                # Connect afresh for the next burst rather than keep a connection idle.
                docker_client_forget()
            removals.task_done()


def sandboxes_removals_wait() -> None:
    """Until every container this process gave up is removed."""
    if _removals is not None:
        _removals.join()


_pool: SandboxPool | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def sandbox_pool() -> SandboxPool | None:
    """This process's pool of started containers; None when SANDBOX_POOL_SIZE is 0."""
    global _pool, _pool_pid
    if settings.SANDBOX_POOL_SIZE <= 0:
        return None
    with _pool_lock:
        # A forked process (a Celery worker's child) keeps a pool of its own.
        if _pool is None or _pool_pid != os.getpid():
            _pool = SandboxPool(
                size=settings.SANDBOX_POOL_SIZE,
                max_age_seconds=settings.SANDBOX_POOL_MAX_AGE_SECONDS,
                start=_pooled_start,
                discard=_pooled_discard,
                image=_image_id,
            )
            _pool_pid = os.getpid()
            atexit.register(sandbox_pool_stop)
        return _pool


def sandbox_pool_if_started() -> SandboxPool | None:
    """This process's pool if it has one already (for figures: never starts one)."""
    with _pool_lock:
        return _pool if _pool_pid == os.getpid() else None


def sandbox_pool_stop() -> None:
    """Remove what the pool holds (at exit, and when a worker process stops)."""
    global _pool
    with _pool_lock:
        pool, _pool = (_pool, None) if _pool_pid == os.getpid() else (None, None)
    if pool is not None:
        pool.stop()
    sandboxes_removals_wait()


def _pooled_start(profile: SandboxProfile, warm_up: bool) -> StartedSandbox:
    client = docker_client()
    image_id = _image_id(profile.image)
    attached = _sandbox_start(client, profile, pooled=True, warm_up=warm_up)
    return StartedSandbox(
        connection=attached, profile=profile, image_id=image_id, warmed_up=warm_up
    )


def _pooled_discard(sandbox: StartedSandbox) -> None:
    attached: _Attached = sandbox.connection
    attached.sock.close()
    _removal_queue().put(attached.container_id)


def _image_id(name: str) -> str:
    """The ID of the image `name` stands for now (a rebuild changes it); "" when missing."""
    try:
        return str(docker_client().api.inspect_image(name)["Id"])
    except docker.errors.ImageNotFound:
        return ""
    except ENGINE_ERRORS as error:
        docker_client_forget()
        raise SandboxUnavailable(f"The Docker engine stopped answering: {error}") from error


def sandboxes_prune(*, older_than: float | None = None) -> list[str]:
    """Remove sandbox containers that no grading can still be using.

    A grading removes its own container; what is left belongs to a process
    that died mid-run, or to a removal the engine refused. A container is
    left alone while a live grading could still own it: until the longest
    allowed run, plus its grace, has passed since it was created, and for a
    container of a pool (any process's), the longest it may wait there first.
    """
    client = docker_client()
    now = time.time()
    longest_run = settings.SANDBOX_MAX_LIMITS["wall_seconds"] + KILL_GRACE_SECONDS + 60
    removed = []
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        created = container.attrs.get("Created", "")
        try:
            age = now - _docker_time(created)
        except ValueError:
            continue
        limit = older_than
        if limit is None:
            limit = longest_run
            if container.labels.get(POOLED_LABEL):
                limit += settings.SANDBOX_POOL_MAX_AGE_SECONDS + START_SECONDS
        if age > limit:
            try:
                container.remove(force=True, v=True)
            except docker.errors.NotFound:
                continue
            except docker.errors.APIError as error:
                logger.error("could not remove sandbox container %s: %s", container.short_id, error)
                continue
            logger.warning("removed leftover sandbox container %s", container.short_id)
            removed.append(str(container.id))
    return removed


def _docker_time(text: str) -> float:
    """Seconds since the epoch of the engine's RFC 3339 times (nanoseconds, "Z")."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return moment.timestamp() + float(f"0.{fraction or 0}")


def _conclude(collector: _RecordCollector, state: Mapping[str, Any], killed_for: str) -> SandboxRun:
    """The run's status. `state` is the engine's view of the exited container,
    empty when the supervisor finished and the container was not waited for."""
    run = collector.run
    if collector.forged:
        run.status = "tampered"
        run.detail = "lines that did not come from the grading harness were written to its output"
        return run
    if killed_for in ("timeout", "output_limit", "cancelled"):
        run.status = killed_for
        return run
    if state.get("OOMKilled") and run.status in ("completed", "crashed"):
        run.status = "memory_limit"
        return run
    if killed_for == "harness_error" or collector.harness_error or not collector.finished:
        if run.status != "completed":
            return run  # the harness reported why the run stopped before it broke off
        if run.phases and state.get("ExitCode") == KILLED_EXIT_CODE:
            # Killed mid-run from inside: gVisor lets learner code kill PID 1.
            run.status = "crashed"
            run.detail = "the grading process was killed"
            return run
        stderr = collector.stderr.decode("utf-8", errors="replace").strip()
        reason = collector.harness_error or f"exit code {state.get('ExitCode')}"
        raise SandboxFailure(
            f"The grading harness stopped without a result ({reason}). {stderr[-1000:]}".strip()
        )
    return run


# For the benchmark: the tests run by plain pytest, no harness, in the same image
# and container settings, timing pytest alone inside the container. A web
# exercise's `client` fixture is then an httpx client calling the WSGI app in
# the same process, as a framework's test client would.
_BARE_CLIENT_CONFTEST = """
import httpx, pytest
from {module} import {attribute} as app

@pytest.fixture
def client():
    transport = httpx.WSGITransport(app=app)
    with httpx.Client(transport=transport, base_url="http://testserver") as client:
        yield client
"""
_BARE_PYTEST = """
import json, subprocess, sys, time
from pathlib import Path
job = json.loads(sys.stdin.buffer.read(int(sys.stdin.buffer.readline())))
for folder, files in (("", job["files"]), ("tests", job["visible_tests"]),
                      ("tests", job["hidden_tests"]), ("tests", job["conftest"])):
    for name, text in files.items():
        path = Path("/work", folder, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
began = time.monotonic()
done = subprocess.run([sys.executable, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                       "tests"], cwd="/work", capture_output=True)
print(json.dumps({"pytest_ms": int((time.monotonic() - began) * 1000),
                  "exit": done.returncode}))
"""


@dataclass(frozen=True)
class BarePytestRun:
    pytest_ms: int
    container_ms: int
    exit_code: int


def sandbox_bare_pytest(job: SandboxJob) -> BarePytestRun:
    """Run `python -m pytest` on the job's files in the sandbox image, without the harness."""
    client = docker_client()
    began = time.monotonic()
    container = _container_create(
        client,
        sandbox_profile(job.harness, job.limits),
        entrypoint=["/opt/lectern/venv/bin/python", "-c", _BARE_PYTEST],
    )
    conftest = {}
    if job.harness.mode == "http":
        module, _, attribute = job.harness.app.partition(":")
        conftest["conftest.py"] = _BARE_CLIENT_CONFTEST.format(module=module, attribute=attribute)
    payload = message_encode(
        {
            "files": dict(job.files),
            "visible_tests": dict(job.visible_tests),
            "hidden_tests": dict(job.hidden_tests),
            "conftest": conftest,
        }
    )
    try:
        sock = _raw_socket(
            client.api.attach_socket(
                str(container.id), params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
        )
        output = b""
        try:
            container.start()
            sock.sendall(payload)
            reader = _FrameReader(sock)
            deadline = time.monotonic() + job.limits.wall_seconds + KILL_GRACE_SECONDS
            while (frame := reader.frame(deadline)) is not None:
                if frame[0] == 1:
                    output += frame[1]
        finally:
            sock.close()
        _wait_for_exit(client, str(container.id))
    finally:
        _remove_quietly(client, str(container.id))
    report = json.loads(output.decode().strip().splitlines()[-1])
    return BarePytestRun(
        pytest_ms=int(report["pytest_ms"]),
        container_ms=int((time.monotonic() - began) * 1000),
        exit_code=int(report["exit"]),
    )


def sandbox_bare_python(code: str) -> int:
    """For the benchmark's ceiling: a single-use container of the image, with
    the default limits, running `python -c code`; its exit code."""
    client = docker_client()
    profile = sandbox_profile(HarnessMode(), limits_resolve())
    container = _container_create(
        client, profile, entrypoint=["/opt/lectern/venv/bin/python", "-c", code]
    )
    container_id = str(container.id)
    try:
        container.start()
        return int(client.api.wait(container_id, timeout=60)["StatusCode"])
    finally:
        _remove_quietly(client, container_id)


def pooled_memory_usage() -> list[int]:
    """Bytes of memory each container in this process's pool uses now."""
    client = docker_client()
    owner = f"{socket.gethostname()}:{os.getpid()}"
    usage = []
    for container in client.containers.list(filters={"label": f"{POOLED_LABEL}={owner}"}):
        stats = client.api.stats(str(container.id), stream=False)
        memory = stats.get("memory_stats", {})
        # What the kernel could not drop: usage less the page cache.
        cache = memory.get("stats", {}).get("cache", memory.get("stats", {}).get("file", 0))
        usage.append(int(memory.get("usage", 0)) - int(cache))
    return usage
