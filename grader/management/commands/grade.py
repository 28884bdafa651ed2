"""python manage.py grade EXERCISE_SLUG FILE... [--json]

Grades local files through the same pipeline as the site: the submission is
queued, graded in the sandbox (by this process, or by a running server's pool
if it gets there first), its events are stored, and the result is printed.
Exit status: 0 whatever the verdict; 2 for a usage error; 3 when the grader
cannot run (no Docker engine, no sandbox image).
"""

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from grader.models import Submission
from grader.services import SubmissionInvalid, grade_submission, submission_create
from grader.submission_events import events_after
from lessons.selectors import exercise_offered_get, exercises_offered
from sandboxes.runner import SandboxUnavailable, engine_check

USAGE_ERROR = 2
INFRASTRUCTURE_ERROR = 3
STATUS_WORDS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}


class Command(BaseCommand):
    help = "Grade local files against an exercise, as a learner's submission would be."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("exercise", help="the exercise's slug, e.g. flask-hello-world")
        parser.add_argument(
            "files", nargs="+", help="files to submit; each is named by its base name"
        )
        parser.add_argument("--json", action="store_true", help="print only the result JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        exercise = exercise_offered_get(slug=options["exercise"])
        if exercise is None:
            known = ", ".join(exercises_offered().values_list("slug", flat=True)) or "none loaded"
            raise CommandError(
                f"unknown exercise {options['exercise']!r} (known: {known})", returncode=USAGE_ERROR
            )
        files = _read_files(options["files"])
        try:
            engine_check()
        except SandboxUnavailable as error:
            raise CommandError(str(error), returncode=INFRASTRUCTURE_ERROR) from error
        try:
            submission = submission_create(
                exercise=exercise, files=files, source=Submission.Source.COMMAND
            )
        except SubmissionInvalid as error:
            raise CommandError(error.message, returncode=USAGE_ERROR) from error

        failure: list[SandboxUnavailable] = []
        grading = threading.Thread(target=_grade, args=(submission.id, failure), daemon=True)
        grading.start()
        result = self._follow(submission.id, quiet=options["json"], failure=failure)
        if result is None:
            raise CommandError(str(failure[0]), returncode=INFRASTRUCTURE_ERROR)
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self._summary(result)

    def _follow(
        self, submission_id: uuid.UUID, *, quiet: bool, failure: list[SandboxUnavailable]
    ) -> dict[str, Any] | None:
        """Print events as they are stored until the result is in."""
        seen = 0
        while True:
            for event in events_after(submission_id=submission_id, after=seen):
                seen = event["seq"]
                if not quiet:
                    self._event(event)
                if event["type"] == "completed":
                    return dict(event["data"]["result"])
            if failure:
                return None
            time.sleep(0.1)

    def _event(self, event: dict[str, Any]) -> None:
        data = event["data"]
        if event["type"] == "queued":
            self.stdout.write(f"queued (position {data['position']})")
        elif event["type"] == "started":
            self.stdout.write(f"running {len(data['tests'])} tests")
        elif event["type"] == "test":
            word = STATUS_WORDS.get(data["status"], data["status"].upper())
            hidden = " (hidden)" if data["visibility"] == "hidden" else ""
            self.stdout.write(
                f"{word:5} {data['name']}{hidden}  {data['points']:g}/{data['max_points']:g}"
            )
            for text in (data["message"], data["output"]):
                if text:
                    self.stdout.write("      " + text.rstrip().replace("\n", "\n      "))

    def _summary(self, result: dict[str, Any]) -> None:
        self.stdout.write(
            f"{result['status'].upper()}: {result['score']:g}/{result['max_score']:g} points. "
            f"{result['message'] or ''}".rstrip()
        )


def _read_files(paths: list[str]) -> dict[str, str]:
    files: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                f"cannot read {raw}: {error.strerror or error}", returncode=USAGE_ERROR
            ) from error
        try:
            files[path.name] = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{raw} is not UTF-8 text (byte {error.start}): save it as UTF-8",
                returncode=USAGE_ERROR,
            ) from error
    return files


def _grade(submission_id: uuid.UUID, failure: list[SandboxUnavailable]) -> None:
    try:
        # False means a running server's pool claimed it first; its events show up all the same.
        grade_submission(submission_id)
    except SandboxUnavailable as error:
        failure.append(error)
    finally:
        connection.close()
