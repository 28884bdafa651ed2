"""Author mode: content reloaded on every file change, and the version open pages poll."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from lessons.content_watch import (
    ContentReload,
    ContentWatcher,
    content_reload,
    content_snapshot,
    content_version,
)
from lessons.models import Lesson
from tests.live_server import free_port
from tests.support.courses import database_snapshot, demo_course_files

LESSON = "demo/01-basics/01-first.md"
# How long to wait for the watcher or the server: it only bounds how long a broken
# run takes to fail, so it is generous for a slow machine; a working one takes a second.
WAIT_SECONDS = 60


def edited(path: Path, text: str) -> None:
    """Write `text` with a later modification time, however coarse the clock."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


@pytest.fixture
def watched(demo_root: Path, db: None) -> tuple[ContentWatcher, list[ContentReload]]:
    assert content_reload(path=demo_root).report is not None
    seen: list[ContentReload] = []
    return ContentWatcher(path=demo_root, on_reload=seen.append), seen


def test_nothing_changed_means_no_reload(watched):
    watcher, seen = watched
    version = content_version()

    assert watcher.poll() is None
    assert seen == []
    assert content_version() == version


def test_a_changed_file_is_reloaded_and_bumps_the_version(watched, demo_root: Path):
    watcher, seen = watched
    version = content_version()
    edited(demo_root / LESSON, demo_course_files()[LESSON].replace("Text.", "New text."))

    reload = watcher.poll()

    assert reload is not None and seen == [reload]
    assert reload.report is not None and reload.report.lessons.updated == 1
    assert "New text." in Lesson.objects.get(slug="first").body_html
    assert content_version() != version
    assert watcher.poll() is None


def test_a_broken_change_keeps_the_last_good_content(watched, demo_root: Path):
    watcher, _ = watched
    before, version = database_snapshot(), content_version()
    edited(demo_root / LESSON, "---\ntitle: [First\n---\nBroken.\n")

    reload = watcher.poll()

    assert reload is not None and reload.report is None
    assert [str(error).split(": ")[0] for error in reload.errors] == [f"{demo_root / LESSON}:3"]
    assert database_snapshot() == before
    assert content_version() == version

    edited(demo_root / LESSON, demo_course_files()[LESSON].replace("Text.", "Fixed."))
    fixed = watcher.poll()
    assert fixed is not None and fixed.changed
    assert content_version() != version


def test_a_new_or_removed_file_is_a_change(watched, demo_root: Path):
    watcher, _ = watched
    new = demo_root / "demo/02-more/02-third.md"
    new.write_text("---\ntitle: Third\n---\n")

    assert watcher.poll() is not None
    assert Lesson.objects.filter(slug="third").exists()

    new.unlink()
    assert watcher.poll() is not None
    assert not Lesson.objects.filter(slug="third").exists()


def test_a_save_that_changes_nothing_keeps_the_version(watched, demo_root: Path):
    watcher, _ = watched
    version = content_version()
    edited(demo_root / LESSON, demo_course_files()[LESSON])

    reload = watcher.poll()

    assert reload is not None and not reload.changed
    assert content_version() == version


def test_editor_litter_is_not_a_change(demo_root: Path):
    before = content_snapshot(path=demo_root)
    (demo_root / "demo/01-basics/.01-first.md.swp").write_text("swap")
    (demo_root / "demo/exercises/demo-add/tests/__pycache__").mkdir()
    (demo_root / "demo/exercises/demo-add/tests/__pycache__/test_calc.pyc").write_text("x")

    assert content_snapshot(path=demo_root) == before


@pytest.mark.django_db(transaction=True)
def test_the_watcher_thread_reloads_on_its_own(demo_root: Path):
    content_reload(path=demo_root)
    reloaded = threading.Event()
    watcher = ContentWatcher(path=demo_root, on_reload=lambda _: reloaded.set(), poll_seconds=0.05)
    thread = watcher.start()
    try:
        edited(demo_root / LESSON, demo_course_files()[LESSON].replace("Text.", "Threaded."))
        assert reloaded.wait(timeout=WAIT_SECONDS)
    finally:
        watcher.stop()
        thread.join(timeout=5)
    assert "Threaded." in Lesson.objects.get(slug="first").body_html


# --- The page side: the version endpoint and the script --------------------------------


def test_the_version_endpoint_is_off_outside_author_mode(client: Client):
    assert client.get("/author/version/").status_code == 404


def test_the_version_endpoint_in_author_mode(client: Client, settings):
    settings.LESSONS_AUTHOR_MODE = True

    response = client.get("/author/version/")

    assert response.status_code == 200
    assert response.json() == {"version": content_version()}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_include_the_refresh_script_only_in_author_mode(client: Client, settings):
    assert "author.js" not in client.get("/").content.decode()

    settings.LESSONS_AUTHOR_MODE = True
    page = client.get("/").content.decode()

    assert (
        f'<script src="/static/js/author.js" defer data-version="{content_version()}" '
        'data-version-url="/author/version/"></script>'
    ) in page
    assert "<script>" not in page  # no inline script


# --- The command, as an author runs it --------------------------------------------------


def test_the_author_command_serves_and_reloads(demo_root: Path, tmp_path: Path):
    port = free_port()
    # Without PYTHONUNBUFFERED (which a developer's shell or CI may set), as an author
    # runs it: what the command reports must reach the log while it serves.
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO") and key != "PYTHONUNBUFFERED"
    }
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'author.sqlite3'}",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    migrated = subprocess.run(
        [*manage, "migrate", "-v0"], env=env, capture_output=True, timeout=120, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    log = tmp_path / "author.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [*manage, "author", str(demo_root / "demo"), "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        first = _get_when_up(f"http://127.0.0.1:{port}/author/version/", server)
        _wait_for(lambda: "Author mode: http://" in log.read_text(), log)
        version = json.loads(first)["version"]
        page = _get(f"http://127.0.0.1:{port}/courses/demo/first/")
        assert f'data-version="{version}"' in page.decode()

        edited(demo_root / LESSON, demo_course_files()[LESSON].replace("Text.", "Live."))
        _wait_for(lambda: _get(f"http://127.0.0.1:{port}/author/version/") != first, log)
        assert b"Live." in _get(f"http://127.0.0.1:{port}/courses/demo/first/")
        # Reported after the version changes, so it may come a moment later.
        _wait_for(lambda: "reloaded: Loaded 1 course" in log.read_text(), log)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(condition: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=WAIT_SECONDS) as response:  # noqa: S310 - local http
        return bytes(response.read())


def _get_when_up(url: str, server: subprocess.Popen[bytes]) -> bytes:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        assert server.poll() is None, "the author command exited"
        try:
            return _get(url)
        except OSError:
            assert time.monotonic() < deadline, "the author command did not listen in time"
            time.sleep(0.1)
