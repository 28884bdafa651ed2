"""`manage.py load_lessons [PATH]`: load course content into the database."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.loader.parse import COURSE_FILE
from lessons.loader.report import ContentInvalid
from lessons.loader.sync import path_load


class Command(BaseCommand):
    help = (
        "Load course content into the database. PATH is a folder of courses (the default, "
        "settings.LESSONS_CONTENT_DIR; courses no longer in it are removed) or one course "
        f"folder (one with a {COURSE_FILE})."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="content folder or course folder")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"] or Path(settings.LESSONS_CONTENT_DIR)
        try:
            report = path_load(path=path)
        except ContentInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            # CommandError gives exit status 1 and a last line that counts the problems.
            raise CommandError(f"{len(exc.errors)} problem(s); nothing was loaded.") from exc
        self.stdout.write(report.summary())
