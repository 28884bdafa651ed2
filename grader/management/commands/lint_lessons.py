"""`manage.py lint_lessons [PATH] [--run] [--only SLUG ...]`: check course content.

Prints each problem as `file:line: what is wrong`, then a summary line. Exit
status 0 when there is none, 1 when there is any, 2 for a usage error, 3 when
--run cannot use Docker or the sandbox image. Never touches the database.

In grader, not lessons: the content checks are lessons', the reference
solutions' runs (--run) the grader's, and lessons imports nothing of grader.
"""

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from grader.reference_check import exercises_reference_check
from lessons.loader.check import ContentCheck, content_check
from lessons.markdown_render import ContentError
from lessons.models import Exercise
from sandboxes.runner import SandboxUnavailable, engine_check

PROBLEMS = 1
USAGE_ERROR = 2
INFRASTRUCTURE_ERROR = 3


class Command(BaseCommand):
    help = (
        "Check course content: front matter, slugs, exercise references, links, required "
        "files, points and limits. PATH is a course folder or a folder of courses (default: "
        "settings.LESSONS_CONTENT_DIR). With --run, also grade each exercise's reference "
        "solution (must get full points) and starter (must import and must not pass) in the "
        "sandbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="content folder or course folder")
        parser.add_argument(
            "--run", action="store_true", help="grade solutions and starters in the sandbox"
        )
        parser.add_argument(
            "--only", nargs="+", metavar="SLUG", default=[], help="with --run: these exercises"
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="with --run: gradings at once (default 2)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["only"] and not options["run"]:
            raise CommandError(
                "--only selects exercises to grade: add --run", returncode=USAGE_ERROR
            )
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1", returncode=USAGE_ERROR)
        path: Path = options["path"] or Path(settings.LESSONS_CONTENT_DIR)
        check = content_check(path=path)
        exercises = self._exercises(check, only=options["only"]) if options["run"] else []
        problems = list(check.errors)
        for problem in problems:
            self.stdout.write(str(problem))
        for spec in check.exercises:
            if spec.values["harness"].get("mode") == "shared":
                # A warning, not a problem: the instructor chose it, knowing.
                self.stdout.write(
                    f"{spec.front.path}: warning: 'isolation: shared' runs the learner's code "
                    "inside the test process, so its scores can be forged (docs/authoring.md)"
                )
        graded = ""
        if options["run"]:
            began = time.monotonic()
            problems += self._run(exercises, check, workers=options["workers"])
            graded = f", {len(exercises)} graded in {time.monotonic() - began:.1f} s"
        self.stdout.write(f"{_counted(check)}{graded}: {_problems(len(problems))}.")
        if problems:
            raise SystemExit(PROBLEMS)

    def _exercises(self, check: ContentCheck, *, only: list[str]) -> list[Exercise]:
        # Unsaved Exercises: the grader reads them exactly as if they were loaded.
        exercises = [Exercise(slug=spec.slug, **spec.values) for spec in check.exercises]
        if not only:
            return exercises
        unknown = sorted(set(only) - {exercise.slug for exercise in exercises})
        if unknown:
            found = ", ".join(exercise.slug for exercise in exercises) or "none"
            raise CommandError(
                f"--only: no exercise {', '.join(map(repr, unknown))} that can be graded "
                f"(found: {found})",
                returncode=USAGE_ERROR,
            )
        return [exercise for exercise in exercises if exercise.slug in only]

    def _run(
        self, exercises: list[Exercise], check: ContentCheck, *, workers: int
    ) -> list[ContentError]:
        exercise_files = {spec.slug: spec.front.path for spec in check.exercises}
        problems: list[ContentError] = []
        try:
            engine_check()
            for result in exercises_reference_check(exercises=exercises, workers=workers):
                self.stdout.write(
                    f"{result.slug}: solution {result.solution.score} "
                    f"({result.solution.seconds:.1f} s), starter {result.starter.score} "
                    f"({result.starter.seconds:.1f} s)"
                )
                for message in result.problems:
                    problem = ContentError(exercise_files[result.slug], 1, message)
                    self.stdout.write(str(problem))
                    problems.append(problem)
        except SandboxUnavailable as error:
            raise CommandError(str(error), returncode=INFRASTRUCTURE_ERROR) from error
        return problems


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _counted(check: ContentCheck) -> str:
    modules = sum(len(course.modules) for course in check.courses)
    lessons = sum(len(module.lessons) for course in check.courses for module in course.modules)
    return (
        f"Checked {_plural(len(check.courses), 'course')}, {_plural(modules, 'module')}, "
        f"{_plural(lessons, 'lesson')}, {_plural(len(check.exercises), 'exercise')}"
    )


def _problems(number: int) -> str:
    return "no problems" if number == 0 else _plural(number, "problem")
