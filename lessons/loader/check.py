"""The first phase of a load, and all that `lint_lessons` needs: a content
folder parsed, rendered and checked, without touching the database."""

from dataclasses import dataclass
from pathlib import Path

from lessons.loader.links import courses_render
from lessons.loader.parse import COURSE_FILE, CourseSpec, ExerciseSpec, courses_parse
from lessons.loader.report import Problems
from lessons.markdown_render import ContentError


@dataclass
class ContentCheck:
    """A content folder as parsed and checked, with every problem found, sorted.

    The courses hold what could be parsed even when there are problems, so a
    linter can go on with the exercises that are fine.
    """

    path: Path
    # A folder of courses stands for the whole site; a course folder for itself.
    whole_site: bool
    courses: list[CourseSpec]
    errors: list[ContentError]

    @property
    def exercises(self) -> list[ExerciseSpec]:
        return [exercise for course in self.courses for exercise in course.exercises.values()]


def content_check(*, path: Path) -> ContentCheck:
    """Parse and check a course folder (one with a course.md) or a folder of
    courses, without touching the database."""
    path = Path(path)
    return folder_check(path, whole_site=not (path / COURSE_FILE).is_file())


def folder_check(path: Path, *, whole_site: bool) -> ContentCheck:
    """Parse and check `path` as a folder of courses (`whole_site`) or as one
    course folder, whatever it holds."""
    problems = Problems()
    specs = courses_parse(path, whole_site=whole_site, problems=problems)
    # Markdown last: links need every course's outline to resolve.
    courses_render(specs, whole_site=whole_site, problems=problems)
    return ContentCheck(path=path, whole_site=whole_site, courses=specs, errors=problems.sorted())
