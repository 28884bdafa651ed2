"""Real processes for the scaled-out tests: Celery workers and a Redis server of
a test's own, each in its own session so a test can kill one with everything it
started (SIGKILL to the process group)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from tests.live_server import PROJECT_DIR, free_port, live_database_url

CELERY = str(Path(sys.executable).parent / "celery")


def services_settings(**env: str) -> dict[str, str]:
    """The settings of a web process or worker of the test: the test database, the
    test's Redis, Celery dispatch, and short timings."""
    return {
        "DATABASE_URL": live_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "GRADER_BACKEND": "celery",
        "GRADER_WORKER_CONCURRENCY": "1",
        "GRADER_SWEEP_SECONDS": "0.5",
        "GRADER_REDISPATCH_SECONDS": "3",
        "SUBMISSIONS_ACTIVE_PER_USER": "100",
        "SUBMISSIONS_PER_MINUTE": "1000",
        **env,
    }


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def pool_pids(self) -> set[int]:
        """The pids of its pool's processes, the ones that grade."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return {int(pid) for pid in children.read_text().split()}
        except FileNotFoundError:
            return set()

    @staticmethod
    def kill_pid(pid: int) -> None:
        """SIGKILL to one process (a pool process, in the middle of its task)."""
        os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL to the worker and its pool, as a crashed host would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def worker_start(name: str, log_dir: Path, **env: str) -> Worker:
    """`celery -A config worker -Q <queues>` as an operator runs it; back once it is ready."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"worker-{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "-Q",
                f"{settings.GRADER_QUEUE},{settings.GRADER_REGRADE_QUEUE}",
                "-n",
                f"{name}@%h",
                "--loglevel",
                "INFO",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=PROJECT_DIR,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DJANGO_SECRET_KEY": settings.SECRET_KEY,
                "DJANGO_DEBUG": "0",
                **services_settings(**env),
            },
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(name, process, log)
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            worker.stop()
            raise RuntimeError(f"worker {name} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    return worker


@contextlib.contextmanager
def workers_running(count: int, log_dir: Path, **env: str) -> Iterator[list[Worker]]:
    workers: list[Worker] = []
    try:
        for index in range(count):
            workers.append(worker_start(f"w{index + 1}", log_dir, **env))
        yield workers
    finally:
        for worker in workers:
            worker.stop()


@dataclass
class RedisServer:
    """A redis-server of the test's own on a free loopback port, keeping nothing on
    disk: a restart loses every queued task, as a Redis without persistence does."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def _answers(self) -> bool:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
        )
        return b"PONG" in done.stdout

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
