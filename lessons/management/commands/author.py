"""`manage.py author [PATH] [--host HOST] [--port PORT]`: a live preview for writing a course.

Loads PATH (a course folder or a folder of courses, default
settings.LESSONS_CONTENT_DIR), serves the site with Daphne and the in-process
grader, and reloads the content whenever a file under PATH changes. Open pages
refresh themselves after each successful reload.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.content_watch import ContentReload, ContentWatcher, content_reload


class Command(BaseCommand):
    help = (
        "Serve the site and reload the course content on every file change (author mode). "
        "PATH is a course folder or a folder of courses (default: settings.LESSONS_CONTENT_DIR; "
        "loading a folder of courses removes courses that are not in it, as load_lessons does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="content folder or course folder")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"] or Path(settings.LESSONS_CONTENT_DIR)
        if not path.is_dir():
            raise CommandError(f"{path}: no such folder")
        self._reported(content_reload(path=path), first=True)
        # Read by the version endpoint and base.html, in this process.
        settings.LESSONS_AUTHOR_MODE = True
        watcher = ContentWatcher(path=path, on_reload=self._reported)
        watcher.start()
        self._say(
            f"Author mode: http://{options['host']}:{options['port']}/ serves {path}, "
            "reloaded on every change (Ctrl-C stops)."
        )
        try:
            _serve(host=options["host"], port=options["port"])
        finally:
            watcher.stop()

    def _reported(self, reload: ContentReload, *, first: bool = False) -> None:
        if reload.report is not None:
            self._say(("" if first else "reloaded: ") + reload.report.summary())
            return
        for error in reload.errors:
            self.stdout.write(str(error))
        self._say(
            f"not {'loaded' if first else 'reloaded'}: {len(reload.errors)} problem(s); "
            "the site keeps the last content that loaded."
        )

    def _say(self, text: str) -> None:
        # The server runs until it is stopped: when stdout is a file or a pipe (a
        # log, an editor's task runner) it is block-buffered, and an author would
        # not see a reload reported until the buffer filled.
        self.stdout.write(text)
        self.stdout.flush()


def _serve(*, host: str, port: int) -> None:
    # Imported here: config.asgi builds the application, and starts the grader
    # pool with Daphne's reactor, which the daphne app installed at setup.
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server

    from config.asgi import application

    endpoints = build_endpoint_description_strings(host=host, port=port)
    Server(application=application, endpoints=endpoints).run()
