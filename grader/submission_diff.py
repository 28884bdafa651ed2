"""What changed between two submissions of an exercise, file by file: the
unified diff of difflib, cut into rows that the compare page shows as a table
(line numbers before and after, the sign, the line), so that an added or
removed line is told by its sign and its words as well as its colour."""

import difflib
from dataclasses import dataclass
from typing import Literal

# Lines of unchanged code shown around each change, as `diff -u` does.
CONTEXT_LINES = 3

LineKind = Literal["context", "added", "removed"]
FileChange = Literal["changed", "added", "removed", "unchanged"]
SIGNS: dict[LineKind, str] = {"context": " ", "added": "+", "removed": "-"}


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    sign: str
    old_number: int | None
    new_number: int | None
    text: str


@dataclass(frozen=True)
class DiffHunk:
    # "Lines 3 to 9 before, 3 to 10 after", for the row above the hunk.
    header: str
    lines: list[DiffLine]


@dataclass(frozen=True)
class FileDiff:
    name: str
    change: FileChange
    added: int
    removed: int
    hunks: list[DiffHunk]
    # The same diff as `diff -u` prints it, for copying.
    unified: str


def _span(start: int, end: int) -> str:
    """Lines start..end-1 (0-based, end exclusive) in words, 1-based."""
    if end <= start:
        return "none"
    if end - start == 1:
        return str(start + 1)
    return f"{start + 1} to {end}"


def _hunk(group: list[tuple[str, int, int, int, int]], old: list[str], new: list[str]) -> DiffHunk:
    lines: list[DiffLine] = []
    for tag, old_start, old_end, new_start, new_end in group:
        if tag == "equal":
            for offset, text in enumerate(old[old_start:old_end]):
                lines.append(
                    DiffLine(
                        "context",
                        SIGNS["context"],
                        old_start + offset + 1,
                        new_start + offset + 1,
                        text,
                    )
                )
            continue
        # "replace" is a removal followed by an addition, as in `diff -u`.
        for offset, text in enumerate(old[old_start:old_end]):
            lines.append(DiffLine("removed", SIGNS["removed"], old_start + offset + 1, None, text))
        for offset, text in enumerate(new[new_start:new_end]):
            lines.append(DiffLine("added", SIGNS["added"], None, new_start + offset + 1, text))
    first, last = group[0], group[-1]
    header = f"Lines {_span(first[1], last[2])} before, {_span(first[3], last[4])} after"
    return DiffHunk(header=header, lines=lines)


def file_diff(*, name: str, old: str | None, new: str | None) -> FileDiff:
    """One file's changes; None for a file that one of the two submissions lacks."""
    old_lines = old.splitlines() if old is not None else []
    new_lines = new.splitlines() if new is not None else []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    hunks = [
        _hunk(group, old_lines, new_lines) for group in matcher.get_grouped_opcodes(CONTEXT_LINES)
    ]
    added = sum(line.kind == "added" for hunk in hunks for line in hunk.lines)
    removed = sum(line.kind == "removed" for hunk in hunks for line in hunk.lines)
    change: FileChange
    if old is None:
        change = "added"
    elif new is None:
        change = "removed"
    else:
        change = "changed" if old != new else "unchanged"
    unified = "\n".join(
        difflib.unified_diff(
            old_lines,
            new_lines,
            fromfile=f"before/{name}" if old is not None else "/dev/null",
            tofile=f"after/{name}" if new is not None else "/dev/null",
            n=CONTEXT_LINES,
            lineterm="",
        )
    )
    return FileDiff(
        name=name, change=change, added=added, removed=removed, hunks=hunks, unified=unified
    )


def files_diff(*, old: dict[str, str], new: dict[str, str]) -> list[FileDiff]:
    """Every file of either submission, by name, with its changes from old to new."""
    return [
        file_diff(name=name, old=old.get(name), new=new.get(name))
        for name in sorted(old.keys() | new.keys())
    ]
