"""Reading course folders (docs/authoring.md): the files and their front
matter, parsed into specs, with the problems of each file and of the outline
(slugs, which lesson lists which exercise)."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lessons.loader.exercise_checks import exercise_values
from lessons.loader.report import Problems, shown
from lessons.markdown_render import ContentError, FrontMatter, front_matter_split

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
    "show_solution",
    "continues",
}
_EXERCISE_DIRS = {"starter", "solution", "tests", "hidden"}


# The specs' `values` are the fields of their database rows.


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


def courses_parse(path: Path, *, whole_site: bool, problems: Problems) -> list[CourseSpec]:
    """The courses in `path`, a folder of courses (`whole_site`) or one course
    folder: those that could be parsed, even when there are problems."""
    specs: list[CourseSpec] = []
    if not path.is_dir():
        problems.at(path, 1, "no such folder")
    elif whole_site:
        for entry in _entries(path):
            if entry.is_dir():
                spec = _course_parse(entry, problems)
                if spec is not None:
                    specs.append(spec)
        if not specs and not problems:
            # An empty or mistyped root would otherwise delete every course.
            problems.at(path, 1, f"no course folders (with a {COURSE_FILE})")
    else:
        spec = _course_parse(path, problems)
        if spec is not None:
            specs.append(spec)
    _courses_check(specs, problems)
    return specs


def _entries(folder: Path) -> list[Path]:
    # Dot files, __pycache__ and the like are tooling litter, not content; a
    # package's __init__.py is content (a Django app's migrations need one).
    return sorted(
        entry
        for entry in folder.iterdir()
        if (entry.name == "__init__.py" or not entry.name.startswith((".", "_")))
        and not entry.name.endswith(".pyc")
    )


def _text_read(path: Path, problems: Problems) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        text = path.read_bytes()[: exc.start].decode("utf-8")
        line = text.count("\n") + 1
        problems.at(path, line, "file is not UTF-8 text")
    except OSError as exc:
        problems.at(path, 1, f"cannot read file: {exc.strerror}")
    return None


def _front_read(path: Path, problems: Problems) -> FrontMatter | None:
    if not path.is_file():
        problems.at(path, 1, "file is missing")
        return None
    text = _text_read(path, problems)
    if text is None:
        return None
    try:
        return front_matter_split(text, path=shown(path))
    except ContentError as exc:
        problems.add(exc)
        return None


def _fields_check(front: FrontMatter, allowed: set[str], problems: Problems) -> None:
    for key in front.data:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            problems.add(front.error(f"unknown field {key!r}; known fields: {known}", str(key)))


def _text_field(
    front: FrontMatter,
    key: str,
    problems: Problems,
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    value = front.data.get(key)
    if value is None:
        if required:
            problems.add(front.error(f"required field {key!r} is missing"))
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(front.error(f"field {key!r} must be non-empty text", key))
        return ""
    if max_length is not None and len(value) > max_length:
        problems.add(front.error(f"field {key!r} is longer than {max_length} characters", key))
        return ""
    return value.strip()


def _slug_get(front: FrontMatter, default: str, problems: Problems, *, what: str) -> str | None:
    value = front.data.get("slug", default)
    if not isinstance(value, str) or not _SLUG.match(value):
        line_keys = ("slug",) if "slug" in front.data else ()
        problems.add(
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


def _unexpected(entry: Path, holds: str, problems: Problems) -> None:
    kind = "folder" if entry.is_dir() else "file"
    problems.at(entry, 1, f"unexpected {kind}: {holds}")


def _course_parse(folder: Path, problems: Problems) -> CourseSpec | None:
    front = _front_read(folder / COURSE_FILE, problems)
    if front is None:
        return None
    _fields_check(front, _COURSE_FIELDS, problems)
    prefixed = _prefix_split(folder.name)
    default_order, default_slug = prefixed if prefixed else (0, folder.name)
    order = front.data.get("order", default_order)
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        problems.add(front.error("field 'order' must be a whole number >= 0", "order"))
        order = 0
    slug = _slug_get(front, default_slug, problems, what="course")
    values = {
        "title": _text_field(front, "title", problems, required=True, max_length=_TITLE_MAX),
        "summary": _text_field(front, "summary", problems),
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
                exercise = _exercise_parse(exercise_folder, problems)
                if exercise is None:
                    broken_exercises.add(exercise_folder.name)
                    continue
                if exercise.slug in exercises:
                    problems.add(
                        exercise.front.error(
                            f"exercise slug {exercise.slug!r} is also used by "
                            f"{shown(exercises[exercise.slug].folder)}",
                            "slug",
                        )
                    )
                    continue
                exercises[exercise.slug] = exercise
            continue
        prefixed = _prefix_split(entry.name)
        if entry.is_dir() and prefixed:
            module = _module_parse(entry, prefixed, problems, course_folder=folder, broken=broken)
            if module is not None:
                modules.append(module)
            continue
        _unexpected(
            entry,
            f"a course folder holds {COURSE_FILE}, module folders named NN-slug and "
            f"{EXERCISES_DIR}/",
            problems,
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
        spec, problems, outline_complete=not broken, broken_exercises=broken_exercises
    )
    return spec


@dataclass
class _Heading:
    """What a module's or lesson's front matter says of it."""

    front: FrontMatter
    # None when it is not a valid slug (already reported).
    slug: str | None
    values: dict[str, Any]


def _heading_read(
    path: Path, prefixed: tuple[int, str], allowed: set[str], problems: Problems, *, what: str
) -> _Heading | None:
    """The front matter of a module or lesson file named NN-slug; None if unreadable."""
    front = _front_read(path, problems)
    if front is None:
        return None
    _fields_check(front, allowed, problems)
    order, default_slug = prefixed
    slug = _slug_get(front, default_slug, problems, what=what)
    values = {
        "title": _text_field(front, "title", problems, required=True, max_length=_TITLE_MAX),
        "summary": _text_field(front, "summary", problems),
        "order": order,
    }
    return _Heading(front=front, slug=slug, values=values)


def _module_parse(
    folder: Path,
    prefixed: tuple[int, str],
    problems: Problems,
    *,
    course_folder: Path,
    broken: list[Path],
) -> ModuleSpec | None:
    heading = _heading_read(folder / MODULE_FILE, prefixed, _MODULE_FIELDS, problems, what="module")
    if heading is None:
        broken.append(folder)
        return None
    lessons: list[LessonSpec] = []
    for entry in _entries(folder):
        if entry.name == MODULE_FILE:
            continue
        lesson_prefixed = _prefix_split(entry.stem)
        if entry.is_file() and entry.suffix == ".md" and lesson_prefixed:
            lesson = _lesson_parse(
                entry, lesson_prefixed, problems, course_folder=course_folder, broken=broken
            )
            if lesson is not None:
                lessons.append(lesson)
            continue
        _unexpected(
            entry,
            f"a module folder holds {MODULE_FILE} and lesson files named NN-slug.md",
            problems,
        )
    if heading.slug is None:
        broken.append(folder)
        return None
    return ModuleSpec(
        slug=heading.slug,
        values=heading.values,
        front=heading.front,
        lessons=lessons,
        folder=folder,
    )


def _lesson_parse(
    path: Path,
    prefixed: tuple[int, str],
    problems: Problems,
    *,
    course_folder: Path,
    broken: list[Path],
) -> LessonSpec | None:
    heading = _heading_read(path, prefixed, _LESSON_FIELDS, problems, what="lesson")
    if heading is None:
        broken.append(path)
        return None
    front = heading.front
    # Relative to the content root, so it is the same on every machine.
    values = {**heading.values, "source_path": path.relative_to(course_folder.parent).as_posix()}
    exercise_slugs: list[str] = []
    raw = front.data.get("exercises", [])
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        problems.add(front.error("field 'exercises' must be a list of exercise slugs", "exercises"))
        broken.append(path)
    else:
        for index, item in enumerate(raw):
            if item in exercise_slugs:
                problems.add(front.error(f"exercise {item!r} is listed twice", "exercises", index))
            else:
                exercise_slugs.append(item)
    if heading.slug is None:
        broken.append(path)
        return None
    return LessonSpec(
        slug=heading.slug, values=values, front=front, exercise_slugs=exercise_slugs, path=path
    )


def _files_read(folder: Path, problems: Problems) -> dict[str, str]:
    files: dict[str, str] = {}
    if not folder.is_dir():
        return files
    for entry in _entries(folder):
        if entry.is_dir():
            for name, text in _files_read(entry, problems).items():
                files[f"{entry.name}/{name}"] = text
        elif entry.is_file():
            content = _text_read(entry, problems)
            if content is not None:
                files[entry.name] = content
    return files


def _exercise_parse(folder: Path, problems: Problems) -> ExerciseSpec | None:
    if not folder.is_dir():
        problems.at(folder, 1, "unexpected file: exercises/ holds exercise folders")
        return None
    front = _front_read(folder / EXERCISE_FILE, problems)
    if front is None:
        return None
    count = len(problems)
    _fields_check(front, _EXERCISE_FIELDS, problems)
    slug = _slug_get(front, folder.name, problems, what="exercise")
    title = _text_field(front, "title", problems, required=True, max_length=_TITLE_MAX)
    for entry in _entries(folder):
        if entry.name != EXERCISE_FILE and entry.name not in _EXERCISE_DIRS:
            _unexpected(
                entry,
                f"an exercise folder holds {EXERCISE_FILE}, starter/, solution/, tests/ and "
                "hidden/",
                problems,
            )
    for required in ("starter", "solution"):
        if not (folder / required).is_dir():
            problems.add(front.error(f"folder {required}/ is missing next to {EXERCISE_FILE}"))

    before_starter = len(problems)
    starter = _files_read(folder / "starter", problems)
    starter_complete = (folder / "starter").is_dir() and len(problems) == before_starter
    solution = _files_read(folder / "solution", problems)
    visible = _files_read(folder / "tests", problems)
    hidden = _files_read(folder / "hidden", problems)
    checked = exercise_values(
        front,
        folder,
        problems,
        starter=starter,
        starter_complete=starter_complete,
        solution=solution,
        visible=visible,
        hidden=hidden,
    )
    values = {"title": title, **checked}
    if slug is None or len(problems) > count:
        return None
    return ExerciseSpec(slug=slug, values=values, front=front, folder=folder)


def _course_references_check(
    spec: CourseSpec,
    problems: Problems,
    *,
    outline_complete: bool,
    broken_exercises: set[str],
) -> None:
    module_slugs: dict[str, FrontMatter] = {}
    lesson_slugs: dict[str, FrontMatter] = {}
    for module in spec.modules:
        _slug_claim(module.slug, module.front, module_slugs, problems, what="module")
        for lesson in module.lessons:
            _slug_claim(lesson.slug, lesson.front, lesson_slugs, problems, what="lesson")
            for index, exercise_slug in enumerate(lesson.exercise_slugs):
                exercise = spec.exercises.get(exercise_slug)
                if exercise is None and exercise_slug in broken_exercises:
                    continue
                if exercise is None:
                    problems.add(
                        lesson.front.error(
                            f"unknown exercise {exercise_slug!r}: no folder "
                            f"{EXERCISES_DIR}/{exercise_slug}/ in this course",
                            "exercises",
                            index,
                        )
                    )
                elif exercise.lesson_slug is not None:
                    problems.add(
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
            problems.add(
                exercise.front.error(
                    f"exercise {exercise.slug!r} is not listed in any lesson's exercises"
                )
            )
        _continues_check(exercise, spec, broken_exercises, problems)


def _continues_check(
    exercise: ExerciseSpec, spec: CourseSpec, broken: set[str], problems: Problems
) -> None:
    """`continues` names the step before, an exercise of the same course whose
    passing code a learner may start this one from."""
    previous = exercise.values.get("continues_from", "")
    if not previous or previous in broken:
        return
    if previous == exercise.slug:
        problems.add(exercise.front.error("an exercise cannot continue itself", "continues"))
    elif previous not in spec.exercises:
        problems.add(
            exercise.front.error(
                f"'continues' names {previous!r}, which is no exercise of this course",
                "continues",
            )
        )


def _slug_claim(
    slug: str, front: FrontMatter, claimed: dict[str, FrontMatter], problems: Problems, *, what: str
) -> None:
    """Reports `slug` if an earlier file in `claimed` has it, else claims it for `front`."""
    if slug in claimed:
        problems.add(
            front.error(f"{what} slug {slug!r} is also used by {claimed[slug].path}", "slug")
        )
    claimed.setdefault(slug, front)


def _courses_check(specs: list[CourseSpec], problems: Problems) -> None:
    courses: dict[str, CourseSpec] = {}
    exercises: dict[str, ExerciseSpec] = {}
    for spec in specs:
        if spec.slug in courses:
            problems.add(
                spec.front.error(
                    f"course slug {spec.slug!r} is also used by {shown(courses[spec.slug].folder)}",
                    "slug",
                )
            )
        courses.setdefault(spec.slug, spec)
        for exercise in spec.exercises.values():
            if exercise.slug in exercises:
                problems.add(
                    exercise.front.error(
                        f"exercise slug {exercise.slug!r} is also used by "
                        f"{shown(exercises[exercise.slug].folder)}; exercise slugs are unique "
                        "across all courses",
                        "slug",
                    )
                )
            exercises.setdefault(exercise.slug, exercise)
