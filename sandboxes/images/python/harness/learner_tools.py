"""Tools an exercise's tests may call in the learner process, through the
stand-in of this module (`from learner_tools import pytest_run`), for
exercises in which the learner's code is itself a test suite.

The learner's tests are the code under test: they run here, as the learner,
against whatever code the exercise's test hands over (the reference, a
mutant), and only their outcome crosses back to the test runner.
"""

import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath

OUTPUT_KEPT = 2000


def pytest_run(*, files: dict[str, str], tests: list[str], timeout: float = 10.0) -> dict:
    """Run pytest over the learner's files named in `tests` (copied from the
    working directory) beside `files`, in a fresh folder: {"returncode": int
    or None if it did not finish in `timeout` seconds, "output": the end of
    what pytest printed}."""
    folder = Path(tempfile.mkdtemp(prefix="learner-tests-"))
    for name, text in {**files, **{name: Path(name).read_text() for name in tests}}.items():
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"refusing file name {name!r}")
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    if "pytest.ini" not in files:
        (folder / "pytest.ini").write_text("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)]
    try:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"returncode": None, "output": f"the tests did not finish within {timeout:g} s"}
    return {"returncode": done.returncode, "output": (done.stdout + done.stderr)[-OUTPUT_KEPT:]}
