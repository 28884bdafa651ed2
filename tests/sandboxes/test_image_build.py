"""The sandbox image build: when it rebuilds, and what the built image holds."""

import re
import shutil
from pathlib import Path

import pytest

from sandboxes import image_build
from sandboxes.image_build import (
    CONTEXT_DIR,
    docker_client,
    sandbox_harness_files,
    sandbox_image_ensure,
    sandbox_image_status,
    sandbox_inputs_hash,
)

PATH = "/opt/lectern/venv/bin:/usr/local/bin:/usr/bin:/bin"


@pytest.fixture
def context_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "python"
    shutil.copytree(CONTEXT_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture(scope="session")
def sandbox_image() -> str:
    return sandbox_image_ensure(log=lambda line: None)


def inputs_hash(context_dir: Path, *, base_ref: str = "base:1", base_id: str = "sha256:1") -> str:
    return sandbox_inputs_hash(context_dir=context_dir, base_ref=base_ref, base_id=base_id)


def run_in(image: str, *command: str, user: str | None = None) -> str:
    output = docker_client().containers.run(
        image, entrypoint=list(command), network_disabled=True, remove=True, user=user
    )
    return bytes(output).decode()


def test_inputs_hash_is_stable_and_does_not_depend_on_the_location(context_copy: Path) -> None:
    assert inputs_hash(context_copy) == inputs_hash(context_copy)
    assert inputs_hash(context_copy) == inputs_hash(CONTEXT_DIR)


@pytest.mark.parametrize("name", ["Dockerfile", "requirements.txt", "harness"])
def test_inputs_hash_changes_when_an_input_file_changes(context_copy: Path, name: str) -> None:
    before = inputs_hash(context_copy)
    path = (
        sandbox_harness_files(context_dir=context_copy)[0]
        if name == "harness"
        else context_copy / name
    )
    path.write_bytes(path.read_bytes() + b"\n# changed\n")

    assert inputs_hash(context_copy) != before


def test_inputs_hash_changes_when_a_harness_file_is_added(context_copy: Path) -> None:
    before = inputs_hash(context_copy)
    (context_copy / "harness" / "extra").mkdir()
    (context_copy / "harness" / "extra" / "helper.py").write_text("")

    assert inputs_hash(context_copy) != before


def test_inputs_hash_ignores_bytecode_next_to_the_harness(context_copy: Path) -> None:
    before = inputs_hash(context_copy)
    (context_copy / "harness" / "__pycache__").mkdir()
    (context_copy / "harness" / "__pycache__" / "supervisor.cpython-311.pyc").write_bytes(b"x")

    assert inputs_hash(context_copy) == before


def test_inputs_hash_changes_with_the_base_image(context_copy: Path) -> None:
    assert inputs_hash(context_copy, base_id="sha256:1") != inputs_hash(
        context_copy, base_id="sha256:2"
    )
    assert inputs_hash(context_copy, base_ref="a:1") != inputs_hash(context_copy, base_ref="b:1")


def test_wheel_platforms_cover_old_and_new_manylinux_tags() -> None:
    python = image_build.BasePython(version="3.11", machine="x86_64", glibc="2.36")

    platforms = image_build._wheel_platforms(python)

    for tag in ("manylinux_2_36", "manylinux_2_28", "manylinux_2_17", "manylinux2014"):
        assert f"{tag}_x86_64" in platforms
    assert "manylinux_2_37_x86_64" not in platforms


@pytest.mark.docker
def test_ensure_does_nothing_when_the_image_is_up_to_date(
    sandbox_image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = docker_client()
    image_id = client.images.get(sandbox_image).id

    def build_refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a build was started although nothing changed")

    monkeypatch.setattr(image_build, "_image_build", build_refused)
    lines: list[str] = []

    assert sandbox_image_ensure(log=lines.append) == sandbox_image
    assert client.images.get(sandbox_image).id == image_id
    assert lines == [f"sandbox image {sandbox_image} is up to date"]
    assert sandbox_image_status() == "up to date"


@pytest.mark.docker
def test_image_runs_as_learner_in_work(sandbox_image: str) -> None:
    code = (
        "import os, pwd; user = pwd.getpwuid(os.getuid()); "
        "print(os.getuid(), os.getgid(), user.pw_name, user.pw_dir, user.pw_shell, os.getcwd())"
    )

    output = run_in(sandbox_image, "python", "-c", code)

    assert output.split() == ["1001", "1001", "learner", "/work", "/usr/sbin/nologin", "/work"]


@pytest.mark.docker
def test_libraries_import_without_network(sandbox_image: str) -> None:
    code = "import pytest, flask, fastapi, httpx, django, sqlalchemy, argon2, bcrypt; print('ok')"

    assert run_in(sandbox_image, "python", "-I", "-c", code).strip() == "ok"


@pytest.mark.docker
def test_installed_packages_are_exactly_the_lock(sandbox_image: str) -> None:
    code = (
        "import importlib.metadata as m; "
        "print('\\n'.join(f'{d.name}=={d.version}' for d in m.distributions()))"
    )

    installed = {_normalise(line) for line in run_in(sandbox_image, "python", "-c", code).split()}

    lock = (CONTEXT_DIR / "requirements.txt").read_text().splitlines()
    assert installed == {_normalise(line) for line in lock if line and not line.startswith("#")}


@pytest.mark.docker
def test_image_config_has_only_path_in_its_environment(sandbox_image: str) -> None:
    config = docker_client().images.get(sandbox_image).attrs["Config"]

    assert config["Env"] == [f"PATH={PATH}"]
    assert config["User"] == "1001:1001"
    assert config["WorkingDir"] == "/work"
    assert config["Entrypoint"] == [
        "/opt/lectern/venv/bin/python",
        "-I",
        "-B",
        "/opt/lectern/harness/entrypoint.py",
    ]
    names = {line.split("=", 1)[0] for line in run_in(sandbox_image, "/usr/bin/env").splitlines()}
    assert "PATH" in names
    assert names <= {"PATH", "HOSTNAME", "HOME"}


@pytest.mark.docker
@pytest.mark.parametrize("user", ["1001:1001", "1000:1000"], ids=["learner", "test-runner"])
def test_harness_and_venv_are_not_writable_by_the_learner(sandbox_image: str, user: str) -> None:
    code = (
        "import os, pathlib; "
        "paths = [p for top in ('/opt/lectern/harness', '/opt/lectern/venv') "
        "for p in (pathlib.Path(top), *pathlib.Path(top).rglob('*'))]; "
        "print(len(paths), [str(p) for p in paths if os.access(p, os.W_OK)])"
    )

    count, writable = run_in(sandbox_image, "python", "-c", code, user=user).split(" ", 1)

    assert int(count) > 100
    assert writable.strip() == "[]"


def _normalise(requirement: str) -> str:
    name, version = requirement.split("==")
    return f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}"
