"""The code a lesson shows, read from its Markdown, so that a test can run what
the course teaches (tests/lessons/test_claims_*.py): a claim in a lesson is
only as good as the code that comes with it."""

import re
from pathlib import Path

from tests.support.courses import SHIPPED_CONTENT

COURSE = SHIPPED_CONTENT / "python-backend"
FENCE = re.compile(r"^```(?P<language>[\w+-]*)[^\n]*\n(?P<code>.*?)^```\s*$", re.M | re.S)


def lesson_text(lesson: str) -> str:
    """A lesson's Markdown, by its path in the course, e.g. "09-deployment/03-observability.md"."""
    return (COURSE / lesson).read_text(encoding="utf-8")


def code_blocks(lesson: str, *, language: str = "python") -> list[str]:
    return [
        match["code"]
        for match in FENCE.finditer(lesson_text(lesson))
        if match["language"] == language
    ]


def code_block(lesson: str, *, containing: str, language: str = "python") -> str:
    """The one code block of `lesson` in `language` that contains `containing`."""
    found = [code for code in code_blocks(lesson, language=language) if containing in code]
    assert len(found) == 1, f"{lesson}: {len(found)} {language} blocks contain {containing!r}"
    return found[0]


def course_file(relative: str) -> Path:
    return COURSE / relative
