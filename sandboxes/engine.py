"""The connection to the Docker engine, for the runner and the image build."""

import os
import threading

import docker
from docker.errors import DockerException

# The SDK's HTTP session is not meant to be shared between threads.
_local = threading.local()
API_TIMEOUT_SECONDS = 30


class SandboxUnavailable(Exception):
    """The Docker engine or the sandbox image cannot be used; nothing was run."""


def docker_client() -> docker.DockerClient:
    """This thread's client; raises SandboxUnavailable when no engine answers."""
    client = getattr(_local, "client", None)
    if client is None:
        try:
            client = docker.from_env(timeout=API_TIMEOUT_SECONDS)
            client.ping()
        except DockerException as error:
            where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
            reason = " ".join(str(error).split())
            raise SandboxUnavailable(
                f"No Docker engine answers at {where}: start it with `make setup` "
                f"(or `systemctl start docker`) and check that this user may use it ({reason})"
            ) from error
        _local.client = client
    return client


def docker_client_forget() -> None:
    """Drop this thread's client after an engine error, to reconnect next time."""
    _local.client = None
