"""Author mode (`manage.py author`): reload course content whenever a file changes.

A watcher thread polls the content folder's file times and sizes, and on any
change loads the folder again with the content loader. A load is all or
nothing, so a change that breaks the content leaves the last good content on
the site, and the problems are printed instead. Each successful load that
changed something gets a new content version, which the open pages poll (see
frontend/author.js) to refresh themselves.
"""

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections

from lessons.loader.report import ContentInvalid, LoadReport
from lessons.loader.sync import path_load
from lessons.markdown_render import ContentError

POLL_SECONDS = 0.5

# A fresh token per process: a page opened before the server restarted
# refreshes too, since the content may have changed in between.
_process_token = uuid.uuid4().hex[:8]
_loads = 0


def content_version() -> str:
    """Changes with every load that changed the content."""
    return f"{_process_token}-{_loads}"


def _version_bump() -> None:
    global _loads
    # One watcher thread writes; readers only compare, so a plain int will do.
    _loads += 1


@dataclass(frozen=True)
class ContentReload:
    report: LoadReport | None = None
    errors: list[ContentError] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        report = self.report
        return report is not None and bool(report.created or report.updated or report.deleted)


def content_reload(*, path: Path) -> ContentReload:
    """Load `path` (a course folder or a folder of courses), as load_lessons does."""
    try:
        report = path_load(path=path)
    except ContentInvalid as invalid:
        return ContentReload(errors=invalid.errors)
    reload = ContentReload(report=report)
    if reload.changed:
        _version_bump()
    return reload


Snapshot = dict[str, tuple[int, int]]


def content_snapshot(*, path: Path) -> Snapshot:
    """Modification time and size of every file under `path`, by relative name."""
    snapshot: Snapshot = {}
    for file in sorted(path.rglob("*")):
        relative = file.relative_to(path)
        # Editors' swap files and __pycache__ come and go without meaning a change,
        # and the loader ignores them too.
        if any(part.startswith((".", "_")) for part in relative.parts) or file.suffix == ".pyc":
            continue
        try:
            status = file.stat()
        except OSError:
            # Deleted between listing and looking: the next poll sees it gone.
            continue
        if file.is_file():
            snapshot[relative.as_posix()] = (status.st_mtime_ns, status.st_size)
    return snapshot


class ContentWatcher:
    """Reloads the content at `path` when its files change, calling `on_reload`."""

    def __init__(
        self,
        *,
        path: Path,
        on_reload: Callable[[ContentReload], None],
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.path = path
        self.on_reload = on_reload
        self.poll_seconds = poll_seconds
        self.snapshot = content_snapshot(path=path)
        self.stopped = threading.Event()

    def poll(self) -> ContentReload | None:
        """Reload if anything changed since the last poll; None if nothing did."""
        snapshot = content_snapshot(path=self.path)
        if snapshot == self.snapshot:
            return None
        self.snapshot = snapshot
        reload = content_reload(path=self.path)
        self.on_reload(reload)
        return reload

    def run(self) -> None:
        while not self.stopped.wait(self.poll_seconds):
            try:
                self.poll()
            except Exception as error:  # a watcher that dies silently is worse
                self.on_reload(ContentReload(errors=[ContentError(self.path, 1, repr(error))]))
            finally:
                # This thread's own connection; the server's threads have theirs.
                connections.close_all()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="content-watcher", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopped.set()
