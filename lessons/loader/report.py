"""What a load tells its caller: the problems found in the content, and what
was written."""

from dataclasses import dataclass, field
from pathlib import Path

from lessons.markdown_render import ContentError


def shown(path: Path) -> str:
    """`path` as a problem names it."""
    # Paths relative to where the command runs are shorter and still clickable.
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class Problems:
    """Every problem found in the content so far: the checks go on past the
    first, so that an author sees all of them at once."""

    def __init__(self) -> None:
        self._found: list[ContentError] = []

    def __len__(self) -> int:
        return len(self._found)

    def add(self, error: ContentError) -> None:
        self._found.append(error)

    def at(self, path: Path, line: int, message: str) -> None:
        """A problem at `line` of the file or folder `path`."""
        self.add(ContentError(shown(path), line, message))

    def sorted(self) -> list[ContentError]:
        # File by file, top to bottom, like a compiler's output.
        return sorted(self._found, key=lambda error: (error.path, error.line))


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
