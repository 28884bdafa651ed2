"""Check-yourself questions in a lesson's Markdown: what the loader stores,
and every way a question can be malformed, reported at its file and line."""

from pathlib import Path

import pytest

from lessons.loader.check import content_check
from lessons.loader.report import ContentInvalid
from lessons.loader.sync import content_load
from lessons.models import Lesson
from lessons.questions import QUESTION_SLOT, answer_grade, answer_normalized
from tests.support.courses import database_snapshot, demo_course_files, tree_write

LESSON = "demo/02-more/01-second.md"
HEAD = "---\ntitle: Second lesson\n---\n## Next\n\nMore.\n\n"
CHOICE = """\
```question
id: pick-one
prompt: Which one is **right**?
choices:
  - text: The `right` one
    correct: true
    feedback: Yes, FEEDBACK_RIGHT_MARKER.
  - text: The wrong one
    feedback: No, FEEDBACK_WRONG_MARKER.
```
"""
TEXT = """\
```question
id: type-it
prompt: Which status code means *Method Not Allowed*?
answers: [405, "Four oh five"]
pattern: '405\\s*method not allowed'
feedback:
  correct: Well done.
  incorrect: Look at the 4xx codes.
```
"""


def lesson_files(body: str) -> dict[str, str]:
    return {**demo_course_files(), LESSON: HEAD + body}


def problems_of(root: Path) -> list[str]:
    return [str(error) for error in content_check(path=root).errors]


def write(content_root: Path, body: str) -> Path:
    return tree_write(content_root, lesson_files(body))


def line_of(body: str, text: str) -> int:
    """The file line of the first line of the lesson holding `text`."""
    lines = (HEAD + body).split("\n")
    return next(index for index, line in enumerate(lines, start=1) if text in line)


def test_questions_are_stored_with_the_lesson_and_only_a_slot_is_in_its_html(
    db: None, content_root: Path
) -> None:
    root = write(content_root, CHOICE + "\nBetween.\n\n" + TEXT)
    content_load(root=root)

    lesson = Lesson.objects.get(slug="second")
    assert [q["id"] for q in lesson.questions] == ["pick-one", "type-it"]
    pick, typed = lesson.questions
    assert pick["kind"] == "choice" and pick["multiple"] is False
    assert pick["prompt_html"] == "Which one is <strong>right</strong>?"
    assert [c["correct"] for c in pick["choices"]] == [True, False]
    assert pick["choices"][0]["html"] == "The <code>right</code> one"
    assert "FEEDBACK_RIGHT_MARKER" in pick["choices"][0]["feedback_html"]
    assert typed["kind"] == "text"
    assert typed["answers"] == ["405", "four oh five"]
    assert typed["feedback_correct_html"] == "<p>Well done.</p>"
    # The page's HTML holds where each question goes, and nothing of it.
    assert QUESTION_SLOT.format(id="pick-one") in lesson.body_html
    assert QUESTION_SLOT.format(id="type-it") in lesson.body_html
    assert "MARKER" not in lesson.body_html
    assert "right" not in lesson.body_html
    assert "Between." in lesson.body_html


def test_a_question_inside_an_admonition_is_found(content_root: Path) -> None:
    indented = "!!! note\n" + "".join(f"    {line}\n" for line in CHOICE.splitlines())
    root = write(content_root, indented)
    check = content_check(path=root)
    assert check.errors == []
    lesson = check.courses[0].modules[1].lessons[0]
    assert [q["id"] for q in lesson.values["questions"]] == ["pick-one"]


def test_a_question_fence_shown_inside_a_longer_fence_is_code(content_root: Path) -> None:
    root = write(content_root, "````markdown\n" + CHOICE + "````\n")
    check = content_check(path=root)
    assert check.errors == []
    lesson = check.courses[0].modules[1].lessons[0]
    assert lesson.values["questions"] == []
    assert "pick-one" in lesson.values["body_html"]


def test_several_correct_choices_make_checkboxes(content_root: Path) -> None:
    body = CHOICE.replace("  - text: The wrong one\n", "  - text: Also right\n    correct: true\n")
    check = content_check(path=write(content_root, body))
    assert check.errors == []
    assert check.courses[0].modules[1].lessons[0].values["questions"][0]["multiple"] is True


@pytest.mark.parametrize(
    ("body", "at", "message"),
    [
        (CHOICE.replace("id: pick-one\n", ""), "```question", "question needs an `id`"),
        (CHOICE.replace("id: pick-one", "id: Pick One"), "id: Pick One", "question needs an `id`"),
        # The second fence is written with a trailing space, to be found here.
        (
            CHOICE + "\n" + CHOICE.replace("```question", "```question "),
            "```question ",
            "question id 'pick-one' is also used at line 8",
        ),
        (CHOICE.replace("prompt: Which one is **right**?\n", ""), "```question", "`prompt`"),
        (
            CHOICE.replace("id: pick-one", "id: pick-one\ncolour: red"),
            "colour: red",
            "unknown question field 'colour'",
        ),
        (
            CHOICE.replace("    correct: true\n", ""),
            "choices:",
            "no choice is marked `correct: true`",
        ),
        (
            CHOICE.replace("    correct: true", "    correct: maybe"),
            "correct: maybe",
            "`correct` must be true or false",
        ),
        (
            CHOICE.replace("    feedback: No, FEEDBACK_WRONG_MARKER.\n", "    feedbak: typo\n"),
            "feedbak: typo",
            "unknown choice field 'feedbak'",
        ),
        (
            CHOICE.replace("choices:", "answers: [x]\nchoices:"),
            "answers: [x]",
            "either `choices` or `answers`",
        ),
        (
            CHOICE.replace("choices:", "multiple: false\nchoices:").replace(
                "  - text: The wrong one\n", "  - text: Right too\n    correct: true\n"
            ),
            "multiple: false",
            "`multiple: false`",
        ),
        (
            CHOICE.replace("prompt: Which one is **right**?\n", "prompt: |\n  One.\n\n  Two.\n"),
            "prompt: |",
            "must be one paragraph",
        ),
        (
            TEXT.replace("pattern: '405\\s*method not allowed'", "pattern: '405('"),
            "pattern: '405('",
            "`pattern` is not a valid regular expression",
        ),
        (
            TEXT.replace('answers: [405, "Four oh five"]', "answers: [405, yes]"),
            "answers: [405, yes]",
            "quote yes, no",
        ),
        (
            TEXT.replace('answers: [405, "Four oh five"]\n', "").replace(
                "pattern: '405\\s*method not allowed'\n", ""
            ),
            "```question",
            "needs `choices`",
        ),
        (
            TEXT.replace("  incorrect: Look", "  wrong: Look"),
            "wrong: Look",
            "unknown feedback field 'wrong'",
        ),
        (
            CHOICE.replace("prompt: Which one is **right**?", "prompt: a: b"),
            "prompt: a: b",
            "question is not valid YAML",
        ),
        (
            CHOICE.replace("id: pick-one", "id: pick-one\nid: again"),
            "id: again",
            "field 'id' is given twice",
        ),
        ("```question\nid: open\n", "```question", "question block is never closed"),
    ],
)
def test_malformed_questions_are_reported_at_their_line(
    content_root: Path, body: str, at: str, message: str
) -> None:
    found = problems_of(write(content_root, body))

    where = f"01-second.md:{line_of(body, at)}: "
    assert any(where in problem and message in problem for problem in found), (where, found)


def test_a_question_outside_a_lesson_is_a_problem(content_root: Path) -> None:
    files = demo_course_files()
    files["demo/01-basics/module.md"] += "\n" + CHOICE
    tree_write(content_root, files)
    assert any(
        "01-basics/module.md:" in problem and "questions belong in lessons" in problem
        for problem in problems_of(content_root)
    )


def test_a_malformed_question_loads_nothing(db: None, content_root: Path) -> None:
    content_load(root=write(content_root, CHOICE))
    before = database_snapshot()
    write(content_root, CHOICE.replace("    correct: true\n", ""))

    with pytest.raises(ContentInvalid) as raised:
        content_load(root=content_root)

    assert "no choice is marked" in str(raised.value)
    assert database_snapshot() == before


def test_a_link_in_a_question_resolves_like_the_lessons_links(content_root: Path) -> None:
    good = CHOICE.replace(
        "    feedback: No, FEEDBACK_WRONG_MARKER.",
        "    feedback: See [the first lesson](../01-basics/01-first.md).",
    )
    check = content_check(path=write(content_root, good))
    assert check.errors == []
    question = check.courses[0].modules[1].lessons[0].values["questions"][0]
    assert 'href="/courses/demo/first/"' in question["choices"][1]["feedback_html"]

    bad = good.replace("01-first.md", "01-frist.md")
    found = problems_of(write(content_root, bad))
    assert found == [
        f"{content_root / LESSON}:{line_of(bad, 'feedback: See')}: link to "
        "'../01-basics/01-frist.md' does not resolve to a lesson of this course"
    ]


# --- Grading -----------------------------------------------------------------------------


QUESTION_CHOICE = {
    "id": "q",
    "kind": "choice",
    "multiple": True,
    "choices": [
        {"html": "A", "correct": True, "feedback_html": "<p>a</p>"},
        {"html": "B", "correct": False, "feedback_html": "<p>b</p>"},
        {"html": "C", "correct": True, "feedback_html": "<p>c</p>"},
    ],
    "answers": [],
    "pattern": "",
    "feedback_correct_html": "",
    "feedback_incorrect_html": "",
}
QUESTION_TEXT = {
    **QUESTION_CHOICE,
    "kind": "text",
    "multiple": False,
    "choices": [],
    "answers": ["405"],
    "pattern": r"405\s*method not allowed",
    "feedback_correct_html": "<p>yes</p>",
    "feedback_incorrect_html": "<p>no</p>",
}


def test_a_multiple_choice_answer_is_right_only_with_every_right_choice() -> None:
    both = answer_grade(question=QUESTION_CHOICE, choices=[2, 0], text="")
    assert both is not None and both.correct
    assert [item.feedback_html for item in both.feedback] == ["<p>a</p>", "<p>c</p>"]
    one = answer_grade(question=QUESTION_CHOICE, choices=[0], text="")
    assert one is not None and not one.correct
    extra = answer_grade(question=QUESTION_CHOICE, choices=[0, 1, 2], text="")
    assert extra is not None and not extra.correct
    # A choice a content reload took away: no grade, as if unanswered.
    assert answer_grade(question=QUESTION_CHOICE, choices=[7], text="") is None


@pytest.mark.parametrize(
    ("text", "correct"),
    [
        ("405", True),
        ("  405 ", True),
        ("405 Method   NOT allowed", True),
        ("405method not allowed", True),
        ("404", False),
        ("4055", False),
    ],
)
def test_a_short_answer_is_compared_trimmed_and_case_folded(text: str, correct: bool) -> None:
    grade = answer_grade(question=QUESTION_TEXT, choices=[], text=text)
    assert grade is not None
    assert grade.correct is correct
    assert grade.feedback[0].feedback_html == ("<p>yes</p>" if correct else "<p>no</p>")


def test_answer_normalized() -> None:
    assert answer_normalized("  Method \t NOT  Allowed ") == "method not allowed"
