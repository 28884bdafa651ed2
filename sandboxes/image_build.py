"""Building the sandbox image that grades learner code.

The image is rebuilt only when one of its inputs changed: the Dockerfile, the
locked requirements, a harness file, or the base image. A hash of those inputs
is stored as a label on the image, so checking costs a few engine calls.

Nothing inside the build reaches the network. The default base is made on this
machine with debootstrap (no registry needed), and the wheels are downloaded by
the host's pip, which is the one client here that can reach the package index,
then installed offline in the build.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import docker
from django.conf import settings
from docker.errors import APIError, DockerException, ImageNotFound
from docker.models.images import Image

from sandboxes.engine import docker_client

Log = Callable[[str], None]

CONTEXT_DIR = Path(__file__).resolve().parent / "images" / "python"
INPUTS_LABEL = "org.lectern.sandbox.inputs"
BASE_LABEL = "org.lectern.sandbox.base"

DEFAULT_BASE_IMAGE = "lectern-sandbox-base:bookworm"
DEFAULT_DEBIAN_MIRROR = "http://deb.debian.org/debian"
DEBIAN_SUITE = "bookworm"
DEBIAN_PACKAGES = ("python3", "python3-venv", "ca-certificates")

# Files that tools drop next to the harness sources; they must not trigger rebuilds.
_IGNORED_NAMES = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
_LOG_TAIL_LINES = 25
# The classic builder colours what RUN steps write to stderr.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


class SandboxImageError(Exception):
    """The sandbox image could not be checked or built; the message says what to do."""


class SandboxImageBuildError(SandboxImageError):
    """A step of the build failed; `headline` is one line, `log_tail` its last output."""

    def __init__(self, headline: str, log_tail: Iterable[str]) -> None:
        self.headline = headline
        self.log_tail = list(log_tail)
        super().__init__("\n  ".join([headline, *self.log_tail]))


@dataclass(frozen=True)
class BasePython:
    version: str  # "3.11"
    machine: str  # "x86_64"
    glibc: str  # "2.36"


def sandbox_harness_files(*, context_dir: Path = CONTEXT_DIR) -> list[Path]:
    harness = context_dir / "harness"
    if not harness.is_dir():
        raise SandboxImageError(f"the sandbox harness directory is missing: {harness}")
    files = [
        path
        for path in harness.rglob("*")
        if path.is_file()
        and path.suffix != ".pyc"
        and not _IGNORED_NAMES.intersection(path.relative_to(harness).parts)
    ]
    return sorted(files, key=lambda path: path.relative_to(context_dir).as_posix())


def sandbox_inputs_hash(*, context_dir: Path = CONTEXT_DIR, base_ref: str, base_id: str) -> str:
    """Hash of everything the image is built from; the wheels follow from the pins."""
    digest = hashlib.sha256()

    def add(name: str, data: bytes) -> None:
        # Name and length first, so that no two different inputs hash the same.
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)

    add("base_ref", base_ref.encode())
    add("base_id", base_id.encode())
    add("Dockerfile", (context_dir / "Dockerfile").read_bytes())
    add("requirements.txt", (context_dir / "requirements.txt").read_bytes())
    for path in sandbox_harness_files(context_dir=context_dir):
        add(path.relative_to(context_dir).as_posix(), path.read_bytes())
    return digest.hexdigest()


def sandbox_image_status(*, base_image: str | None = None) -> str:
    """One of "up to date", "missing" or "outdated" (ensure would rebuild it)."""
    client = docker_client()
    image = _image_get(client, settings.SANDBOX_IMAGE)
    if image is None:
        return "missing"
    base_ref = _base_ref(base_image)
    base = _image_get(client, base_ref)
    if base is None:
        return "outdated"
    inputs = sandbox_inputs_hash(base_ref=base_ref, base_id=_image_id(base))
    return "up to date" if image.labels.get(INPUTS_LABEL) == inputs else "outdated"


def sandbox_image_ensure(
    *, base_image: str | None = None, force: bool = False, log: Log = print
) -> str:
    """Build the sandbox image unless an image built from the same inputs exists.

    `base_image` defaults to $SANDBOX_BASE_IMAGE, else the debootstrap-made
    lectern-sandbox-base:bookworm (made here when missing). Returns the tag.
    """
    started = time.monotonic()
    tag: str = settings.SANDBOX_IMAGE
    client = docker_client()
    base_ref = _base_ref(base_image)
    base = _base_image_get(client, base_ref=base_ref, log=log)
    current = _image_get(client, tag)
    inputs = sandbox_inputs_hash(base_ref=base_ref, base_id=_image_id(base))
    if not force and current is not None and current.labels.get(INPUTS_LABEL) == inputs:
        log(f"sandbox image {tag} is up to date")
        return tag

    built = _image_build(client, tag=tag, base_ref=base_ref, nocache=force, log=log)
    if current is not None and _image_id(current) != _image_id(built):
        # The previous image is dangling now. A run still using it keeps it alive.
        try:
            client.images.remove(_image_id(current))
        except APIError:
            log(f"kept the previous image {_image_id(current)[:19]}: it is still in use")
    size_mb = int(built.attrs["Size"]) / 1e6
    log(
        f"built sandbox image {tag} ({_image_id(built)[:19]}, {size_mb:.0f} MB) "
        f"in {time.monotonic() - started:.0f} s"
    )
    return tag


def sandbox_base_image_make(*, client: docker.DockerClient, log: Log = print) -> Image:
    """Make lectern-sandbox-base:bookworm from Debian packages, without a registry."""
    if os.geteuid() != 0:
        raise SandboxImageError(
            f"making the base image {DEFAULT_BASE_IMAGE} with debootstrap needs root: run this "
            "as root, or set SANDBOX_BASE_IMAGE to an image with python3 (e.g. python:3.12-slim)"
        )
    if shutil.which("debootstrap") is None:
        raise SandboxImageError(
            f"debootstrap is not installed, so {DEFAULT_BASE_IMAGE} cannot be made: "
            "apt-get install debootstrap, or set SANDBOX_BASE_IMAGE"
        )
    mirror = os.environ.get("DEBIAN_MIRROR") or DEFAULT_DEBIAN_MIRROR
    repository, tag = DEFAULT_BASE_IMAGE.split(":")
    with tempfile.TemporaryDirectory(prefix="lectern-sandbox-base-") as tmp:
        root = Path(tmp) / "rootfs"
        log(f"making base image {DEFAULT_BASE_IMAGE}: debootstrap {DEBIAN_SUITE} from {mirror}")
        _run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(DEBIAN_PACKAGES)}",
                DEBIAN_SUITE,
                str(root),
                mirror,
            ],
            what="debootstrap",
            log=log,
        )
        _rootfs_strip(root)
        tarball = Path(tmp) / "rootfs.tar"
        # The engine gives every container its own /dev; the nodes made here are not needed.
        _run(
            [
                *("tar", "--create", "--numeric-owner", "--exclude=./dev/*"),
                *("--file", str(tarball), "--directory", str(root), "."),
            ],
            what="tar of the base file system",
            log=log,
        )
        recipe = f"debootstrap --variant=minbase {DEBIAN_SUITE} {' '.join(DEBIAN_PACKAGES)}"
        client.api.import_image_from_file(
            str(tarball),
            repository=repository,
            tag=tag,
            changes=[
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                'CMD ["python3"]',
                f'LABEL org.lectern.sandbox.base-recipe="{recipe}"',
            ],
        )
    return client.images.get(DEFAULT_BASE_IMAGE)


def _base_ref(base_image: str | None) -> str:
    return base_image or os.environ.get("SANDBOX_BASE_IMAGE") or DEFAULT_BASE_IMAGE


def _image_get(client: docker.DockerClient, ref: str) -> Image | None:
    try:
        return client.images.get(ref)
    except ImageNotFound:
        return None


def _image_id(image: Image) -> str:
    return str(image.id)


def _base_image_get(client: docker.DockerClient, *, base_ref: str, log: Log) -> Image:
    image = _image_get(client, base_ref)
    if image is not None:
        return image
    if base_ref == DEFAULT_BASE_IMAGE:
        return sandbox_base_image_make(client=client, log=log)
    # Pulled before the build rather than by its FROM, so that the inputs hash
    # already covers the image id the build will use.
    log(f"pulling base image {base_ref}")
    try:
        return client.images.pull(base_ref)
    except APIError as error:
        reason = " ".join(str(error.explanation or error).split())
        raise SandboxImageError(f"cannot pull the base image {base_ref}: {reason}") from error


def _rootfs_strip(root: Path) -> None:
    """Drop what a sandbox never reads: apt indexes, caches, logs, docs, translations."""
    for pattern in (
        "var/lib/apt/lists/*",
        "var/cache/apt/*",
        "var/cache/debconf/*-old",
        "var/log/*",
        "usr/share/man/*",
        "usr/share/info/*",
        "usr/share/locale/*",
        "usr/share/lintian",
        # The container gets its own from the engine; these describe the build host.
        "etc/resolv.conf",
        "etc/hostname",
    ):
        for path in root.glob(pattern):
            _remove(path)
    # Licences stay: they are small and the image is redistributable with them.
    for path in root.glob("usr/share/doc/*/*"):
        if path.name != "copyright":
            _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _python_probe(client: docker.DockerClient, base_ref: str) -> BasePython:
    code = (
        "import platform, sys; "
        "print(sys.implementation.name, '%d.%d' % sys.version_info[:2], platform.machine(), "
        "*platform.libc_ver())"
    )
    try:
        output = client.containers.run(
            base_ref,
            entrypoint=["python3", "-c", code],
            network_disabled=True,
            remove=True,
        )
    except DockerException as error:
        raise SandboxImageError(
            f"cannot run python3 in the base image {base_ref}: {error}"
        ) from error
    fields = bytes(output).decode().split()
    if len(fields) != 5 or fields[0] != "cpython" or fields[3] != "glibc":
        raise SandboxImageError(
            f"the base image {base_ref} must have CPython 3 on glibc as python3; "
            f"it reports {' '.join(fields)!r}"
        )
    return BasePython(version=fields[1], machine=fields[2], glibc=fields[4])


def _wheel_platforms(python: BasePython) -> list[str]:
    """Every manylinux tag the base's glibc runs: pip takes them literally, it does not
    expand manylinux_2_28 to the older tags or the other way round."""
    major, minor = (int(part) for part in python.glibc.split(".")[:2])
    if major != 2:
        raise SandboxImageError(f"unexpected glibc version {python.glibc} in the base image")
    tags = [f"manylinux_2_{m}_{python.machine}" for m in range(minor, 4, -1)]
    legacy = {"manylinux2014": 17, "manylinux2010": 12, "manylinux1": 5}
    for name, needs in legacy.items():
        # manylinux1 and manylinux2010 were only ever defined for Intel.
        if needs <= minor and (name == "manylinux2014" or python.machine in {"x86_64", "i686"}):
            tags.append(f"{name}_{python.machine}")
    return tags


def _wheels_collect(*, requirements: Path, dest: Path, python: BasePython, log: Log) -> None:
    cache = Path(settings.BASE_DIR) / "build" / "sandbox-wheels"
    cache /= f"{python.version}-{python.machine}"
    cache.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check"]
    target = ["--only-binary=:all:", "--implementation", "cp", "--python-version", python.version]
    for platform in _wheel_platforms(python):
        target += ["--platform", platform]
    target += ["--progress-bar", "off", "-r", str(requirements)]
    from_cache = [*pip, *target, "--no-index", "--find-links", str(cache), "-d", str(dest)]
    # The cache alone is enough unless a pin changed: then no index is asked at all.
    if subprocess.run(from_cache, capture_output=True, check=False).returncode == 0:
        return
    log(f"downloading wheels for CPython {python.version} on {python.machine} into {cache}")
    _run([*pip, *target, "-d", str(cache)], what="pip download", log=log)
    _run(from_cache, what="pip download from the wheel cache", log=log)


def _context_assemble(context: Path) -> None:
    shutil.copyfile(CONTEXT_DIR / "Dockerfile", context / "Dockerfile")
    shutil.copyfile(CONTEXT_DIR / "requirements.txt", context / "requirements.txt")
    for source in sandbox_harness_files():
        target = context / source.relative_to(CONTEXT_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        # COPY keeps the modes: whatever the checkout's umask, nothing is group- or
        # world-writable inside the image.
        target.chmod(0o755 if os.access(source, os.X_OK) else 0o644)
    for directory in (context / "harness", *(context / "harness").rglob("*")):
        if directory.is_dir():
            directory.chmod(0o755)


def _image_build(
    client: docker.DockerClient, *, tag: str, base_ref: str, nocache: bool, log: Log
) -> Image:
    python = _python_probe(client, base_ref)
    base_id = _image_id(client.images.get(base_ref))
    with tempfile.TemporaryDirectory(prefix="lectern-sandbox-context-") as tmp:
        context = Path(tmp)
        _context_assemble(context)
        # Hashed from the copy, so the label describes exactly what was built even
        # if a harness file is edited meanwhile.
        inputs = sandbox_inputs_hash(context_dir=context, base_ref=base_ref, base_id=base_id)
        _wheels_collect(
            requirements=context / "requirements.txt",
            dest=context / "wheels",
            python=python,
            log=log,
        )
        log(f"building {tag} from {base_ref} (CPython {python.version}, {python.machine})")
        tail: deque[str] = deque(maxlen=_LOG_TAIL_LINES)
        stream = client.api.build(
            path=str(context),
            tag=tag,
            buildargs={"BASE_IMAGE": base_ref},
            labels={INPUTS_LABEL: inputs, BASE_LABEL: base_ref},
            network_mode="none",
            nocache=nocache,
            rm=True,
            forcerm=True,
            decode=True,
        )
        for chunk in stream:
            for line in _ANSI_ESCAPE.sub("", str(chunk.get("stream", ""))).splitlines():
                if line.strip():
                    tail.append(line)
                    log(line)
            if "error" in chunk:
                error = " ".join(str(chunk["error"]).split())
                raise SandboxImageBuildError(f"building {tag} failed: {error}", tail)
    return client.images.get(tag)


def _run(command: list[str], *, what: str, log: Log) -> None:
    """Run a host command, passing its output to `log` line by line."""
    tail: deque[str] = deque(maxlen=_LOG_TAIL_LINES)
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            tail.append(line)
            log(line)
    if process.returncode != 0:
        raise SandboxImageBuildError(f"{what} failed with exit status {process.returncode}", tail)
