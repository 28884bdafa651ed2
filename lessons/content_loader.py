"""Load course folders (docs/authoring.md) into the database.

Two phases. First every file is read, parsed, rendered and checked without
touching the database, collecting every problem found, so an author sees all of
them at once (`content_check`, which `lint_lessons` uses on its own). Then,
only if there were none, one transaction brings the database in line with the
folders: create what is new, update what changed, leave what did not change
alone, and remove what is gone.
"""

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from django.db import transaction
from django.db.models import Model, ProtectedError
from django.urls import reverse

from lessons.exercise_tests import ExerciseTestsError, collected_file_is, exercise_tests_discover
from lessons.learner_files import file_name_problem
from lessons.markdown_render import (
    ContentError,
    FrontMatter,
    RenderedMarkdown,
    front_matter_split,
    markdown_render,
)
from lessons.models import Course, Exercise, Lesson, Module
from sandboxes.harness import HarnessMode, harness_preload
from sandboxes.limits import LimitError, limits_resolve

COURSE_FILE = "course.md"
MODULE_FILE = "module.md"
EXERCISE_FILE = "exercise.md"
EXERCISES_DIR = "exercises"

_PREFIXED = re.compile(r"^(\d+)-(.+)$")
# What Django's SlugField accepts, within its default length.
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")
_TITLE_MAX = 200

_COURSE_FIELDS = {"title", "summary", "order", "slug"}
_MODULE_FIELDS = {"title", "summary", "slug"}
_LESSON_FIELDS = {"title", "summary", "slug", "exercises"}
_EXERCISE_FIELDS = {
    "title",
    "slug",
    "files",
    "limits",
    "tests",
    "default_points",
    "hints",
    "app",
    "isolation",
}


class ContentInvalid(Exception):
    """The content has problems; nothing was written."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the course content")
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class LoadReport:
    courses: LoadCounts = field(default_factory=LoadCounts)
    modules: LoadCounts = field(default_factory=LoadCounts)
    lessons: LoadCounts = field(default_factory=LoadCounts)
    exercises: LoadCounts = field(default_factory=LoadCounts)
    # Things removed from disk that had to stay in the database, and why.
    kept: list[str] = field(default_factory=list)

    def _total(self, name: str) -> int:
        kinds = (self.courses, self.modules, self.lessons, self.exercises)
        return sum(getattr(counts, name) for counts in kinds)

    @property
    def created(self) -> int:
        return self._total("created")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    @property
    def deleted(self) -> int:
        return self._total("deleted")

    def summary(self) -> str:
        def loaded(counts: LoadCounts, noun: str) -> str:
            number = counts.created + counts.updated + counts.unchanged
            return f"{number} {noun}{'' if number == 1 else 's'}"

        text = (
            f"Loaded {loaded(self.courses, 'course')}, {loaded(self.modules, 'module')}, "
            f"{loaded(self.lessons, 'lesson')}, {loaded(self.exercises, 'exercise')}: "
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.deleted} deleted."
        )
        if self.kept:
            text += " Kept: " + "; ".join(self.kept) + "."
        return text


# --- Parsed content -----------------------------------------------------------


@dataclass
class ExerciseSpec:
    slug: str
    values: dict[str, Any]
    front: FrontMatter
    folder: Path
    # Set when a lesson lists it.
    lesson_slug: str | None = None
    order: int = 0


@dataclass
class LessonSpec:
    slug: str
    values: dict[str, Any]
    front: FrontMatter
    exercise_slugs: list[str]
    path: Path


@dataclass
class ModuleSpec:
    slug: str
    values: dict[str, Any]
    front: FrontMatter
    lessons: list[LessonSpec]
    folder: Path


@dataclass
class CourseSpec:
    slug: str
    values: dict[str, Any]
    front: FrontMatter
    folder: Path
    modules: list[ModuleSpec]
    exercises: dict[str, ExerciseSpec]
    # Module and lesson files that could not be parsed; links to them are not
    # reported again.
    unreadable: list[Path] = field(default_factory=list)


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


# --- Public services ------------------------------------------------------------


def content_check(*, path: Path) -> ContentCheck:
    """Parse and check a course folder (one with a course.md) or a folder of
    courses, without touching the database."""
    path = Path(path)
    return _check(path, whole_site=not (path / COURSE_FILE).is_file())


def content_load(*, root: Path) -> LoadReport:
    """Load every course folder under `root`; courses no longer there are removed."""
    return content_write(check=_check(Path(root), whole_site=True))


def course_load(*, path: Path) -> LoadReport:
    """Load one course folder; other courses in the database are left alone."""
    return content_write(check=_check(Path(path), whole_site=False))


def content_write(*, check: ContentCheck) -> LoadReport:
    """Bring the database in line with checked content, in one transaction.

    A folder of courses also removes the courses that are not in it. Raises
    ContentInvalid, writing nothing, when the check found problems.
    """
    if check.errors:
        raise ContentInvalid(check.errors)
    return _courses_write(check.courses, prune_courses=check.whole_site)


def _check(path: Path, *, whole_site: bool) -> ContentCheck:
    errors: list[ContentError] = []
    specs: list[CourseSpec] = []
    if not path.is_dir():
        errors.append(ContentError(_shown(path), 1, "no such folder"))
    elif whole_site:
        for entry in _entries(path):
            if entry.is_dir():
                spec = _course_parse(entry, errors)
                if spec is not None:
                    specs.append(spec)
        if not specs and not errors:
            # An empty or mistyped root would otherwise delete every course.
            errors.append(
                ContentError(_shown(path), 1, f"no course folders (with a {COURSE_FILE})")
            )
    else:
        spec = _course_parse(path, errors)
        if spec is not None:
            specs.append(spec)
    _courses_check(specs, errors)
    # Markdown last: links need every course's outline to resolve.
    site = _SiteLinks(specs, whole_site=whole_site)
    for spec in specs:
        _course_render(spec, site, errors)
    return ContentCheck(
        path=path, whole_site=whole_site, courses=specs, errors=_errors_sorted(errors)
    )


def _errors_sorted(errors: list[ContentError]) -> list[ContentError]:
    # File by file, top to bottom, like a compiler's output.
    return sorted(errors, key=lambda error: (error.path, error.line))


# --- Parsing ------------------------------------------------------------------------


def _shown(path: Path) -> str:
    # Paths relative to where the command runs are shorter and still clickable.
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _entries(folder: Path) -> list[Path]:
    # Dot files, __pycache__ and the like are tooling litter, not content.
    return sorted(
        entry
        for entry in folder.iterdir()
        if not entry.name.startswith((".", "_")) and not entry.name.endswith(".pyc")
    )


def _text_read(path: Path, errors: list[ContentError]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        text = path.read_bytes()[: exc.start].decode("utf-8")
        line = text.count("\n") + 1
        errors.append(ContentError(_shown(path), line, "file is not UTF-8 text"))
    except OSError as exc:
        errors.append(ContentError(_shown(path), 1, f"cannot read file: {exc.strerror}"))
    return None


def _front_read(path: Path, errors: list[ContentError]) -> FrontMatter | None:
    if not path.is_file():
        errors.append(ContentError(_shown(path), 1, "file is missing"))
        return None
    text = _text_read(path, errors)
    if text is None:
        return None
    try:
        return front_matter_split(text, path=_shown(path))
    except ContentError as exc:
        errors.append(exc)
        return None


def _fields_check(front: FrontMatter, allowed: set[str], errors: list[ContentError]) -> None:
    for key in front.data:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            errors.append(front.error(f"unknown field {key!r}; known fields: {known}", str(key)))


def _text_field(
    front: FrontMatter,
    key: str,
    errors: list[ContentError],
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    value = front.data.get(key)
    if value is None:
        if required:
            errors.append(front.error(f"required field {key!r} is missing"))
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(front.error(f"field {key!r} must be non-empty text", key))
        return ""
    if max_length is not None and len(value) > max_length:
        errors.append(front.error(f"field {key!r} is longer than {max_length} characters", key))
        return ""
    return value.strip()


def _slug_get(
    front: FrontMatter, default: str, errors: list[ContentError], *, what: str
) -> str | None:
    value = front.data.get("slug", default)
    if not isinstance(value, str) or not _SLUG.match(value):
        line_keys = ("slug",) if "slug" in front.data else ()
        errors.append(
            front.error(
                f"{what} slug {value!r} must be 1-50 letters, digits, '-' or '_'", *line_keys
            )
        )
        return None
    return value


def _prefix_split(name: str) -> tuple[int, str] | None:
    match = _PREFIXED.match(name)
    if match is None:
        return None
    return int(match.group(1)), match.group(2)


def _course_parse(folder: Path, errors: list[ContentError]) -> CourseSpec | None:
    front = _front_read(folder / COURSE_FILE, errors)
    if front is None:
        return None
    _fields_check(front, _COURSE_FIELDS, errors)
    prefixed = _prefix_split(folder.name)
    default_order, default_slug = prefixed if prefixed else (0, folder.name)
    order = front.data.get("order", default_order)
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        errors.append(front.error("field 'order' must be a whole number >= 0", "order"))
        order = 0
    slug = _slug_get(front, default_slug, errors, what="course")
    values = {
        "title": _text_field(front, "title", errors, required=True, max_length=_TITLE_MAX),
        "summary": _text_field(front, "summary", errors),
        "order": order,
    }

    modules: list[ModuleSpec] = []
    exercises: dict[str, ExerciseSpec] = {}
    # Module and lesson files that could not be read: their exercise lists are unknown.
    broken: list[Path] = []
    # Exercise folders with problems of their own, already reported.
    broken_exercises: set[str] = set()
    for entry in _entries(folder):
        if entry.name == COURSE_FILE:
            continue
        if entry.name == EXERCISES_DIR and entry.is_dir():
            for exercise_folder in _entries(entry):
                exercise = _exercise_parse(exercise_folder, errors)
                if exercise is None:
                    broken_exercises.add(exercise_folder.name)
                    continue
                if exercise.slug in exercises:
                    errors.append(
                        exercise.front.error(
                            f"exercise slug {exercise.slug!r} is also used by "
                            f"{_shown(exercises[exercise.slug].folder)}",
                            "slug",
                        )
                    )
                    continue
                exercises[exercise.slug] = exercise
            continue
        prefixed = _prefix_split(entry.name)
        if entry.is_dir() and prefixed:
            module = _module_parse(entry, prefixed, errors, course_folder=folder, broken=broken)
            if module is not None:
                modules.append(module)
            continue
        errors.append(
            ContentError(
                _shown(entry),
                1,
                f"unexpected {'folder' if entry.is_dir() else 'file'}: a course folder holds "
                f"{COURSE_FILE}, module folders named NN-slug and {EXERCISES_DIR}/",
            )
        )
    if slug is None:
        return None
    spec = CourseSpec(
        slug=slug,
        values=values,
        front=front,
        folder=folder,
        modules=modules,
        exercises=exercises,
        unreadable=broken,
    )
    _course_references_check(
        spec, errors, outline_complete=not broken, broken_exercises=broken_exercises
    )
    return spec


def _module_parse(
    folder: Path,
    prefixed: tuple[int, str],
    errors: list[ContentError],
    *,
    course_folder: Path,
    broken: list[Path],
) -> ModuleSpec | None:
    front = _front_read(folder / MODULE_FILE, errors)
    if front is None:
        broken.append(folder)
        return None
    _fields_check(front, _MODULE_FIELDS, errors)
    order, default_slug = prefixed
    slug = _slug_get(front, default_slug, errors, what="module")
    values = {
        "title": _text_field(front, "title", errors, required=True, max_length=_TITLE_MAX),
        "summary": _text_field(front, "summary", errors),
        "order": order,
    }
    lessons: list[LessonSpec] = []
    for entry in _entries(folder):
        if entry.name == MODULE_FILE:
            continue
        lesson_prefixed = _prefix_split(entry.stem)
        if entry.is_file() and entry.suffix == ".md" and lesson_prefixed:
            lesson = _lesson_parse(
                entry, lesson_prefixed, errors, course_folder=course_folder, broken=broken
            )
            if lesson is not None:
                lessons.append(lesson)
            continue
        errors.append(
            ContentError(
                _shown(entry),
                1,
                f"unexpected {'folder' if entry.is_dir() else 'file'}: a module folder holds "
                f"{MODULE_FILE} and lesson files named NN-slug.md",
            )
        )
    if slug is None:
        broken.append(folder)
        return None
    return ModuleSpec(slug=slug, values=values, front=front, lessons=lessons, folder=folder)


def _lesson_parse(
    path: Path,
    prefixed: tuple[int, str],
    errors: list[ContentError],
    *,
    course_folder: Path,
    broken: list[Path],
) -> LessonSpec | None:
    front = _front_read(path, errors)
    if front is None:
        broken.append(path)
        return None
    _fields_check(front, _LESSON_FIELDS, errors)
    order, default_slug = prefixed
    slug = _slug_get(front, default_slug, errors, what="lesson")
    values = {
        "title": _text_field(front, "title", errors, required=True, max_length=_TITLE_MAX),
        "summary": _text_field(front, "summary", errors),
        "order": order,
        # Relative to the content root, so it is the same on every machine.
        "source_path": path.relative_to(course_folder.parent).as_posix(),
    }
    exercise_slugs: list[str] = []
    raw = front.data.get("exercises", [])
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        errors.append(
            front.error("field 'exercises' must be a list of exercise slugs", "exercises")
        )
        broken.append(path)
    else:
        for index, item in enumerate(raw):
            if item in exercise_slugs:
                errors.append(front.error(f"exercise {item!r} is listed twice", "exercises", index))
            else:
                exercise_slugs.append(item)
    if slug is None:
        broken.append(path)
        return None
    return LessonSpec(
        slug=slug, values=values, front=front, exercise_slugs=exercise_slugs, path=path
    )


def _course_references_check(
    spec: CourseSpec,
    errors: list[ContentError],
    *,
    outline_complete: bool,
    broken_exercises: set[str],
) -> None:
    module_slugs: dict[str, ModuleSpec] = {}
    lesson_slugs: dict[str, LessonSpec] = {}
    for module in spec.modules:
        if module.slug in module_slugs:
            errors.append(
                module.front.error(
                    f"module slug {module.slug!r} is also used by "
                    f"{module_slugs[module.slug].front.path}",
                    "slug",
                )
            )
        module_slugs.setdefault(module.slug, module)
        for lesson in module.lessons:
            if lesson.slug in lesson_slugs:
                errors.append(
                    lesson.front.error(
                        f"lesson slug {lesson.slug!r} is also used by "
                        f"{lesson_slugs[lesson.slug].front.path}",
                        "slug",
                    )
                )
            lesson_slugs.setdefault(lesson.slug, lesson)
            for index, exercise_slug in enumerate(lesson.exercise_slugs):
                exercise = spec.exercises.get(exercise_slug)
                if exercise is None and exercise_slug in broken_exercises:
                    continue
                if exercise is None:
                    errors.append(
                        lesson.front.error(
                            f"unknown exercise {exercise_slug!r}: no folder "
                            f"{EXERCISES_DIR}/{exercise_slug}/ in this course",
                            "exercises",
                            index,
                        )
                    )
                elif exercise.lesson_slug is not None:
                    errors.append(
                        lesson.front.error(
                            f"exercise {exercise_slug!r} already belongs to lesson "
                            f"{exercise.lesson_slug!r}; an exercise belongs to one lesson",
                            "exercises",
                            index,
                        )
                    )
                else:
                    exercise.lesson_slug = lesson.slug
                    exercise.order = index + 1
    if not outline_complete:
        # An unreadable lesson may well list it; do not bury the real error.
        return
    for exercise in spec.exercises.values():
        if exercise.lesson_slug is None:
            errors.append(
                exercise.front.error(
                    f"exercise {exercise.slug!r} is not listed in any lesson's exercises"
                )
            )


def _courses_check(specs: list[CourseSpec], errors: list[ContentError]) -> None:
    courses: dict[str, CourseSpec] = {}
    exercises: dict[str, ExerciseSpec] = {}
    for spec in specs:
        if spec.slug in courses:
            errors.append(
                spec.front.error(
                    f"course slug {spec.slug!r} is also used by "
                    f"{_shown(courses[spec.slug].folder)}",
                    "slug",
                )
            )
        courses.setdefault(spec.slug, spec)
        for exercise in spec.exercises.values():
            if exercise.slug in exercises:
                errors.append(
                    exercise.front.error(
                        f"exercise slug {exercise.slug!r} is also used by "
                        f"{_shown(exercises[exercise.slug].folder)}; exercise slugs are unique "
                        "across all courses",
                        "slug",
                    )
                )
            exercises.setdefault(exercise.slug, exercise)


# --- Markdown and links between pages ---------------------------------------------------


def _file_key(path: Path) -> str:
    # Links are resolved as written (`..` against the folder), not through symlinks.
    return os.path.normpath(path.absolute())


class _SiteLinks:
    """The pages the content being checked will have, to resolve links to them."""

    def __init__(self, specs: list[CourseSpec], *, whole_site: bool) -> None:
        self.whole_site = whole_site
        # Course file -> (course slug, URL of its page).
        self.files: dict[str, tuple[str, str]] = {}
        # Course slug -> the slugs of its lessons.
        self.lessons: dict[str, set[str]] = {}
        self.unreadable: set[str] = set()
        for spec in specs:
            course_url = reverse("learning:course", kwargs={"course_slug": spec.slug})
            self.files[_file_key(spec.folder / COURSE_FILE)] = (spec.slug, course_url)
            self.lessons[spec.slug] = set()
            self.unreadable.update(_file_key(path) for path in spec.unreadable)
            for module in spec.modules:
                self.files[_file_key(module.folder / MODULE_FILE)] = (spec.slug, course_url)
                for lesson in module.lessons:
                    url = reverse(
                        "learning:lesson",
                        kwargs={"course_slug": spec.slug, "lesson_slug": lesson.slug},
                    )
                    self.files[_file_key(lesson.path)] = (spec.slug, url)
                    self.lessons[spec.slug].add(lesson.slug)

    def unreadable_has(self, target: str) -> bool:
        """Whether the file is, or is in, one that could not be parsed (already reported)."""
        return any(target == path or target.startswith(path + os.sep) for path in self.unreadable)


# /courses/<course>/ and /courses/<course>/<lesson>/ (the trailing slash may be left out).
_PAGE_PATH = re.compile(r"^/courses/([^/]+)/?(?:([^/]+)/?)?$")


class _LinkResolver:
    """Rewrites links to the course's own .md files into page URLs and reports
    those that lead nowhere, at their line in the file."""

    def __init__(
        self,
        *,
        path: Path,
        front: FrontMatter,
        course: CourseSpec,
        site: _SiteLinks,
        errors: list[ContentError],
    ) -> None:
        self.path = path
        self.front = front
        self.course = course
        self.site = site
        self.errors = errors

    def __call__(self, href: str, line: int) -> str:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            # http:, mailto: and the like, and in-page anchors.
            return href
        if parts.path.startswith("/"):
            self._page_check(href, parts.path, line)
            return href
        if not parts.path.endswith(".md"):
            return href
        target = _file_key(self.path.parent / unquote(parts.path))
        found = self.site.files.get(target)
        if found is not None and found[0] == self.course.slug:
            return found[1] + (f"#{parts.fragment}" if parts.fragment else "")
        if not self.site.unreadable_has(target):
            self._error(line, f"link to {href!r} does not resolve to a lesson of this course")
        return href

    def _page_check(self, href: str, path: str, line: int) -> None:
        if not path.startswith("/courses/"):
            return
        match = _PAGE_PATH.match(path)
        if match is None:
            self._error(line, f"link to {href!r} is not a course or lesson page")
            return
        course_slug, lesson_slug = match.groups()
        lessons = self.site.lessons.get(course_slug)
        if lessons is None:
            # When one course is checked, the others are not known here.
            if self.site.whole_site:
                self._error(line, f"link to {href!r}: there is no course {course_slug!r}")
        elif lesson_slug is not None and lesson_slug not in lessons:
            self._error(
                line, f"link to {href!r}: course {course_slug!r} has no lesson {lesson_slug!r}"
            )

    def _error(self, line: int, message: str) -> None:
        self.errors.append(ContentError(self.front.path, self.front.body_line - 1 + line, message))


def _course_render(spec: CourseSpec, site: _SiteLinks, errors: list[ContentError]) -> None:
    """Render every Markdown body of the course into its spec's values."""

    def render(path: Path, front: FrontMatter) -> RenderedMarkdown:
        resolver = _LinkResolver(path=path, front=front, course=spec, site=site, errors=errors)
        return markdown_render(front.body, link_resolver=resolver)

    spec.values["body_html"] = render(spec.folder / COURSE_FILE, spec.front).html
    for module in spec.modules:
        has_body = bool(module.front.body.strip())
        module.values["body_html"] = (
            render(module.folder / MODULE_FILE, module.front).html if has_body else ""
        )
        for lesson in module.lessons:
            rendered = render(lesson.path, lesson.front)
            lesson.values["body_html"] = rendered.html
            lesson.values["toc_html"] = rendered.toc_html
    for exercise in spec.exercises.values():
        exercise_md = exercise.folder / EXERCISE_FILE
        exercise.values["instructions_html"] = render(exercise_md, exercise.front).html


# --- Exercises ------------------------------------------------------------------------


def _files_read(folder: Path, errors: list[ContentError]) -> dict[str, str]:
    files: dict[str, str] = {}
    if not folder.is_dir():
        return files
    for entry in _entries(folder):
        if entry.is_dir():
            for name, text in _files_read(entry, errors).items():
                files[f"{entry.name}/{name}"] = text
        elif entry.is_file():
            content = _text_read(entry, errors)
            if content is not None:
                files[entry.name] = content
    return files


def _file_name_problem(name: str) -> str | None:
    # Learners' submissions follow the same path rules: a name they could
    # never send would make the exercise impossible.
    if problem := file_name_problem(name):
        return problem
    path = PurePosixPath(name)
    if path.as_posix() != name:
        return "must be written in normal form (no './', no '//', no trailing '/')"
    if path.parts[0] in {"tests", "hidden"}:
        return "must not be inside tests/ or hidden/"
    # The grader collects only the exercise's own test folders, but pytest would
    # still read a conftest.py anywhere on the way.
    if path.name == "conftest.py":
        return "must not be a conftest.py"
    return None


_EXERCISE_DIRS = {"starter", "solution", "tests", "hidden"}


def _exercise_parse(folder: Path, errors: list[ContentError]) -> ExerciseSpec | None:
    if not folder.is_dir():
        errors.append(
            ContentError(_shown(folder), 1, "unexpected file: exercises/ holds exercise folders")
        )
        return None
    front = _front_read(folder / EXERCISE_FILE, errors)
    if front is None:
        return None
    count = len(errors)
    _fields_check(front, _EXERCISE_FIELDS, errors)
    slug = _slug_get(front, folder.name, errors, what="exercise")
    title = _text_field(front, "title", errors, required=True, max_length=_TITLE_MAX)
    for entry in _entries(folder):
        if entry.name != EXERCISE_FILE and entry.name not in _EXERCISE_DIRS:
            errors.append(
                ContentError(
                    _shown(entry),
                    1,
                    f"unexpected {'folder' if entry.is_dir() else 'file'}: an exercise folder "
                    f"holds {EXERCISE_FILE}, starter/, solution/, tests/ and hidden/",
                )
            )
    for required in ("starter", "solution"):
        if not (folder / required).is_dir():
            errors.append(front.error(f"folder {required}/ is missing next to {EXERCISE_FILE}"))

    before_starter = len(errors)
    starter = _files_read(folder / "starter", errors)
    # Without all starter files, checking 'files' against them would only add noise.
    starter_ok = (folder / "starter").is_dir() and len(errors) == before_starter
    solution = _files_read(folder / "solution", errors)
    visible = _files_read(folder / "tests", errors)
    hidden = _files_read(folder / "hidden", errors)

    accepted = _accepted_files(front, starter, solution, errors) if starter_ok else []
    _learner_modules_check(front, accepted, {**visible, **hidden}, errors)
    limits = _limits_get(front, errors)
    harness = _harness_get(front, solution, errors)
    hints = _hints_get(front, errors)
    tests = _tests_get(front, folder, visible, hidden, errors)
    if slug is None or len(errors) > count:
        return None
    values = {
        "title": title,
        "accepted_files": accepted,
        "starter_files": starter,
        "solution_files": solution,
        "visible_test_files": visible,
        "hidden_test_files": hidden,
        "tests": tests,
        "limits": limits,
        "harness": harness,
        "hints": hints,
    }
    return ExerciseSpec(slug=slug, values=values, front=front, folder=folder)


def _accepted_files(
    front: FrontMatter,
    starter: dict[str, str],
    solution: dict[str, str],
    errors: list[ContentError],
) -> list[str]:
    raw = front.data.get("files")
    if raw is None:
        accepted = sorted(starter)
    elif not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        errors.append(front.error("field 'files' must be a list of file names", "files"))
        return []
    else:
        accepted = list(raw)
        for index, name in enumerate(accepted):
            if accepted.index(name) != index:
                errors.append(front.error(f"file {name!r} is listed twice", "files", index))
        for name in sorted(set(starter) - set(accepted)):
            errors.append(front.error(f"starter file {name!r} is missing from 'files'", "files"))
    if not accepted:
        errors.append(
            front.error("the learner has no file to submit: add starter/ files or 'files'")
        )
    for index, name in enumerate(accepted):
        problem = _file_name_problem(name)
        if problem:
            keys: tuple[str | int, ...] = ("files", index) if raw is not None else ()
            errors.append(front.error(f"learner file {name!r} {problem}", *keys))
    for name in sorted(set(solution) - set(accepted)):
        errors.append(
            front.error(
                f"solution file {name!r} is not a file the learner may submit "
                "(add it to starter/ or to 'files')",
                "files",
            )
        )
    return accepted


def _learner_modules_check(
    front: FrontMatter, accepted: list[str], tests: dict[str, str], errors: list[ContentError]
) -> None:
    """A learner file may be a test file of its own (an exercise can be about
    writing tests), but it must not shadow one of the exercise's test modules."""
    test_modules = {PurePosixPath(name).stem for name in tests if name.endswith(".py")}
    for name in accepted:
        if name.endswith(".py") and PurePosixPath(name).stem in test_modules:
            errors.append(
                front.error(
                    f"learner file {name!r} has the same module name as a test file of the "
                    "exercise; rename one of them",
                    "files",
                )
            )


def _harness_get(
    front: FrontMatter, solution: dict[str, str], errors: list[ContentError]
) -> dict[str, Any]:
    """`app: module:attribute` serves the learner's app over HTTP to the tests;
    `isolation: shared` runs learner code inside the test process (forgeable)."""
    app = front.data.get("app")
    isolation = front.data.get("isolation")
    mode = "function"
    if app is not None:
        module, _, attribute = str(app).partition(":") if isinstance(app, str) else ("", "", "")
        if not (
            module
            and attribute
            and all(p.isidentifier() for p in module.split("."))
            and all(p.isidentifier() for p in attribute.split("."))
        ):
            errors.append(
                front.error(
                    "field 'app' must name the learner's application as module:attribute, "
                    f"as for uvicorn or gunicorn (for example app:app), not {app!r}",
                    "app",
                )
            )
            return {}
        mode = "http"
    if isolation is not None:
        if isolation != "shared":
            errors.append(
                front.error(
                    f"field 'isolation' can only be 'shared', not {isolation!r}; leave it out "
                    "to run learner code in a process of its own",
                    "isolation",
                )
            )
            return {}
        if app is not None:
            errors.append(
                front.error("'isolation: shared' cannot be combined with 'app'", "isolation")
            )
            return {}
        mode = "shared"
    preload = harness_preload(mode=mode, reference_files=solution)
    return HarnessMode(mode=mode, app=str(app or ""), preload=preload).as_dict()


def _limits_get(front: FrontMatter, errors: list[ContentError]) -> dict[str, Any]:
    raw = front.data.get("limits", {})
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(front.error("field 'limits' must be a mapping of limit: value", "limits"))
        return {}
    limits: dict[str, Any] = {}
    # One at a time, so the message points at the line of the bad limit.
    for name, value in raw.items():
        try:
            limits_resolve({name: value})
        except LimitError as exc:
            errors.append(front.error(str(exc), "limits", str(name)))
        else:
            limits[str(name)] = value
    return limits


def _hints_get(front: FrontMatter, errors: list[ContentError]) -> list[str]:
    raw = front.data.get("hints", [])
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append(front.error("field 'hints' must be a list of texts", "hints"))
        return []
    hints = []
    for index, hint in enumerate(raw):
        if not isinstance(hint, str) or not hint.strip():
            errors.append(front.error("each hint must be non-empty text", "hints", index))
        else:
            hints.append(hint.strip())
    return hints


def _tests_get(
    front: FrontMatter,
    folder: Path,
    visible: dict[str, str],
    hidden: dict[str, str],
    errors: list[ContentError],
) -> list[dict[str, Any]]:
    spec = front.data.get("tests", {})
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        errors.append(front.error("field 'tests' must map test names to points", "tests"))
        return []
    # pytest imports test files by module name: two with the same name clash.
    modules: dict[str, str] = {}
    for subfolder, files in (("tests", visible), ("hidden", hidden)):
        for name in sorted(files):
            if not collected_file_is(name):
                continue
            module = PurePosixPath(name).stem
            where = f"{subfolder}/{name}"
            if module in modules:
                errors.append(
                    ContentError(
                        _shown(folder / where),
                        1,
                        f"test module name {module!r} is also used by {modules[module]}; "
                        "pytest cannot import both",
                    )
                )
            modules.setdefault(module, where)
    try:
        tests = exercise_tests_discover(
            visible=visible,
            hidden=hidden,
            points_spec=spec,
            default_points=front.data.get("default_points", 1),
        )
    except ExerciseTestsError as exc:
        if exc.file is not None:
            subfolder = "tests" if exc.visibility == "visible" else "hidden"
            errors.append(
                ContentError(_shown(folder / subfolder / exc.file), exc.line, exc.message)
            )
        elif exc.test_name is not None:
            errors.append(front.error(exc.message, "tests", exc.test_name))
        else:
            errors.append(front.error(exc.message, "default_points"))
        return []
    if not tests:
        errors.append(
            front.error("the exercise has no tests: add tests/test_*.py or hidden/test_*.py")
        )
    return tests


# --- Writing ---------------------------------------------------------------------------


def _hash(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_M = TypeVar("_M", bound=Model)


def _upsert(
    model: type[_M], lookup: dict[str, Any], values: dict[str, Any], counts: LoadCounts
) -> _M:
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        counts.created += 1
        return model._default_manager.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        counts.unchanged += 1
        return instance
    for name in changed:
        setattr(instance, name, values[name])
    instance.save(update_fields=changed)
    counts.updated += 1
    return instance


def _courses_write(specs: list[CourseSpec], *, prune_courses: bool) -> LoadReport:
    report = LoadReport()
    with transaction.atomic():
        _slug_clashes_check(specs, whole_site=prune_courses)
        exercise_slugs = {slug for spec in specs for slug in spec.exercises}
        courses = [_course_write(spec, report) for spec in specs]
        # Removals come after every upsert, so that an exercise that moved to
        # another course is already there when its old course goes.
        for spec, course in zip(specs, courses, strict=True):
            _course_prune(spec, course, report, exercise_slugs=exercise_slugs)
        if prune_courses:
            for course in Course.objects.exclude(slug__in=[spec.slug for spec in specs]):
                _course_remove(course, report)
    return report


def _slug_clashes_check(specs: list[CourseSpec], *, whole_site: bool) -> None:
    if whole_site:
        # Every course is being loaded, so an exercise can move between them.
        return
    errors = []
    for spec in specs:
        clashes = Exercise.objects.filter(slug__in=list(spec.exercises)).exclude(
            course__slug=spec.slug
        )
        for exercise in clashes.select_related("course"):
            errors.append(
                spec.exercises[exercise.slug].front.error(
                    f"exercise slug {exercise.slug!r} is already used by course "
                    f"{exercise.course.slug!r}; exercise slugs are unique across all courses",
                    "slug",
                )
            )
    if errors:
        raise ContentInvalid(errors)


def _course_write(spec: CourseSpec, report: LoadReport) -> Course:
    values = dict(spec.values)
    values["content_hash"] = _hash(values)
    course = _upsert(Course, {"slug": spec.slug}, values, report.courses)
    for module_spec in spec.modules:
        module = _upsert(
            Module,
            {"course_id": course.id, "slug": module_spec.slug},
            module_spec.values,
            report.modules,
        )
        for lesson_spec in module_spec.lessons:
            lesson = _upsert(
                Lesson,
                {"course_id": course.id, "slug": lesson_spec.slug},
                {**lesson_spec.values, "module_id": module.id},
                report.lessons,
            )
            for exercise_slug in lesson_spec.exercise_slugs:
                exercise_spec = spec.exercises[exercise_slug]
                values = dict(exercise_spec.values)
                values["content_hash"] = _hash(values)
                values.update(course_id=course.id, lesson_id=lesson.id, order=exercise_spec.order)
                _upsert(Exercise, {"slug": exercise_slug}, values, report.exercises)
    return course


def _course_prune(
    spec: CourseSpec, course: Course, report: LoadReport, *, exercise_slugs: set[str]
) -> None:
    gone = Exercise.objects.filter(course=course).exclude(slug__in=exercise_slugs)
    for exercise in gone:
        _exercise_remove(exercise, report)
    lesson_slugs = [lesson.slug for module in spec.modules for lesson in module.lessons]
    lessons = Lesson.objects.filter(course=course).exclude(slug__in=lesson_slugs)
    report.lessons.deleted += lessons.count()
    lessons.delete()
    modules = Module.objects.filter(course=course).exclude(slug__in=[m.slug for m in spec.modules])
    report.modules.deleted += modules.count()
    modules.delete()


def _exercise_remove(exercise: Exercise, report: LoadReport) -> None:
    try:
        # A savepoint, so a refused delete leaves the outer transaction usable.
        with transaction.atomic():
            exercise.delete()
    except ProtectedError:
        # Submissions point at it: keep it for their sake, but off the site.
        if exercise.lesson_id is not None:
            exercise.lesson = None
            exercise.save(update_fields=["lesson"])
        report.kept.append(
            f"exercise {exercise.slug!r} (it has submissions; no longer in any lesson)"
        )
    else:
        report.exercises.deleted += 1


def _course_remove(course: Course, report: LoadReport) -> None:
    for exercise in Exercise.objects.filter(course=course):
        _exercise_remove(exercise, report)
    report.lessons.deleted += Lesson.objects.filter(course=course).count()
    report.modules.deleted += Module.objects.filter(course=course).count()
    if Exercise.objects.filter(course=course).exists():
        # Kept exercises still need their course row; empty it instead.
        Lesson.objects.filter(course=course).delete()
        Module.objects.filter(course=course).delete()
        report.kept.append(f"course {course.slug!r} (it has exercises with submissions)")
        return
    course.delete()
    report.courses.deleted += 1
