"""Check-yourself questions in a lesson's Markdown: ```question fences of YAML
(docs/authoring.md, "Check-yourself questions"), found with their lines,
checked, and rendered to what Lesson.questions stores (lessons/questions.py).

The fences are found twice, on purpose: here, line by line, to know where each
one is written (the Markdown renderer keeps no line numbers), and by
SuperFences while the lesson renders, which decides what is really a fence.
The question_fence hook puts a slot where each question goes and notes its id;
a question found here that the renderer never met (or the other way round)
is a problem, so the two readings cannot silently disagree.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from lessons.loader.report import Problems
from lessons.markdown_render import ContentError, FrontMatter, yaml_parse
from lessons.questions import (
    ANSWER_MAX_LENGTH,
    CHOICE,
    QUESTION_ID,
    QUESTION_SLOT,
    TEXT,
    answer_normalized,
)

_FENCE_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
_FIELDS = {"id", "prompt", "choices", "multiple", "answers", "pattern", "feedback"}
_CHOICE_FIELDS = {"text", "correct", "feedback"}
_FEEDBACK_FIELDS = {"correct", "incorrect"}
_PARAGRAPH = re.compile(r"^<p>(?P<inner>.*)</p>$", re.DOTALL)

# Given a Markdown text and the file line it starts at, its HTML (links resolved
# and reported as in the rest of the lesson).
FieldRender = Callable[[str, int], str]


@dataclass(frozen=True)
class QuestionBlock:
    # File lines: the opening fence, and the first line of YAML inside it.
    line: int
    yaml_line: int
    source: str


def question_blocks_find(front: FrontMatter) -> list[QuestionBlock]:
    """The ```question fences of a file's body, outside other fences, in order."""
    blocks: list[QuestionBlock] = []
    lines = front.body.split("\n")
    # (fence characters, indent, index of the opening line, is a question)
    open_fence: tuple[str, int, int, bool] | None = None
    for index, line in enumerate(lines):
        if open_fence is None:
            match = _FENCE_LINE.match(line)
            if match is not None:
                info = match["info"].split()
                is_question = bool(info) and info[0] == "question"
                open_fence = (match["fence"], len(match["indent"]), index, is_question)
            continue
        fence, indent, start, is_question = open_fence
        closing = line.strip()
        if closing.startswith(fence) and not closing.strip(fence[0]):
            if is_question:
                inner = [_dedented(text, indent) for text in lines[start + 1 : index]]
                blocks.append(
                    QuestionBlock(
                        line=front.body_line + start,
                        yaml_line=front.body_line + start + 1,
                        source="\n".join(inner) + "\n",
                    )
                )
            open_fence = None
    if open_fence is not None and open_fence[3]:
        start = open_fence[2]
        blocks.append(QuestionBlock(line=front.body_line + start, yaml_line=0, source=""))
    return blocks


def _dedented(line: str, indent: int) -> str:
    # The fence's own indentation (inside an admonition or a list), no more.
    cut = 0
    while cut < indent and cut < len(line) and line[cut] in " \t":
        cut += 1
    return line[cut:]


class LessonQuestions:
    """The questions of one lesson: checked before the lesson renders, then
    matched with the fences the renderer meets (`fence` is its hook)."""

    def __init__(self, front: FrontMatter, problems: Problems, render: FieldRender) -> None:
        self.front = front
        self.problems = problems
        self.blocks = question_blocks_find(front)
        self.questions: list[dict[str, Any]] = []
        # Id -> line of the fence, for the questions that passed their checks.
        self.lines: dict[str, int] = {}
        # Every id the scan could read, valid question or not.
        self.found = {_id_read(block.source) for block in self.blocks}
        self.rendered: set[str] = set()
        for block in self.blocks:
            question = _question_check(block, front, problems, render)
            if question is None:
                continue
            if question["id"] in self.lines:
                self._error(
                    block.line,
                    f"question id {question['id']!r} is also used at line "
                    f"{self.lines[question['id']]}; ids are unique within a lesson",
                )
                continue
            self.lines[question["id"]] = block.line
            self.questions.append(question)

    def fence(self, source: str) -> str:
        """The renderer's hook: a slot where the question goes, by its id."""
        question_id = _id_read(source)
        if question_id is None:
            # Reported by _question_check, at its line.
            return ""
        self.rendered.add(question_id)
        return QUESTION_SLOT.format(id=question_id)

    def rendered_check(self) -> None:
        """Report every question that the renderer and the line scan do not agree on."""
        for question in self.questions:
            if question["id"] not in self.rendered:
                self._error(
                    self.lines[question["id"]],
                    f"question {question['id']!r} is not rendered as a question: "
                    "is its fence inside an indented code block?",
                )
        for question_id in sorted(self.rendered - self.found):
            self._error(
                self.front.body_line,
                f"question {question_id!r} is written where it cannot be checked (in a "
                "blockquote?); start its ```question fence on a line of its own",
            )

    def _error(self, line: int, message: str) -> None:
        self.problems.add(ContentError(self.front.path, line, message))


def _id_read(source: str) -> str | None:
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError:
        return None
    question_id = data.get("id") if isinstance(data, dict) else None
    if isinstance(question_id, str) and QUESTION_ID.match(question_id):
        return question_id
    return None


class _Located:
    """A question's parsed YAML and the file line of each of its keys."""

    def __init__(
        self, path: str, lines: dict[tuple[str | int, ...], int], default: int, problems: Problems
    ) -> None:
        self.path = path
        self.lines = lines
        self.default = default
        self.problems = problems
        self.count = 0

    def line_of(self, *keys: str | int) -> int:
        for end in range(len(keys), 0, -1):
            line = self.lines.get(tuple(keys[:end]))
            if line is not None:
                return line
        return self.default

    def error(self, message: str, *keys: str | int) -> None:
        self.count += 1
        self.problems.add(ContentError(self.path, self.line_of(*keys), message))


def _question_check(
    block: QuestionBlock, front: FrontMatter, problems: Problems, render: FieldRender
) -> dict[str, Any] | None:
    if not block.yaml_line:
        problems.add(ContentError(front.path, block.line, "question block is never closed"))
        return None
    try:
        data, lines = yaml_parse(
            block.source, path=front.path, first_line=block.yaml_line, what="question"
        )
    except ContentError as exc:
        problems.add(exc)
        return None
    at = _Located(front.path, lines, block.line, problems)
    if not isinstance(data, dict):
        at.error("a question is a YAML mapping: id, prompt, then choices or answers")
        return None
    for key in data:
        if key not in _FIELDS:
            at.error(
                f"unknown question field {key!r}; known fields: {', '.join(sorted(_FIELDS))}",
                str(key),
            )

    question_id = data.get("id")
    if not isinstance(question_id, str) or not QUESTION_ID.match(question_id):
        at.error(
            "question needs an `id`: 1-50 lowercase letters, digits or '-', unique in the "
            f"lesson (got {question_id!r})",
            "id",
        )
    prompt = _inline_markdown(data, "prompt", at, render, required=True)
    has_choices = "choices" in data
    has_answers = "answers" in data or "pattern" in data
    question: dict[str, Any] = {
        "id": question_id,
        "kind": CHOICE if has_choices else TEXT,
        "prompt_html": prompt,
        "multiple": False,
        "choices": [],
        "answers": [],
        "pattern": "",
        "feedback_correct_html": "",
        "feedback_incorrect_html": "",
    }
    if has_choices and has_answers:
        at.error("a question has either `choices` or `answers`/`pattern`, not both", "answers")
    elif has_choices:
        _choices_check(data, question, at, render)
    elif has_answers:
        _answers_check(data, question, at, render)
    else:
        at.error("question needs `choices` (multiple choice) or `answers` (short answer)")
    return question if at.count == 0 else None


def _inline_markdown(
    data: dict[str, Any],
    key: str,
    at: _Located,
    render: FieldRender,
    *keys: str | int,
    required: bool = False,
) -> str:
    """One paragraph of Markdown (a legend or a label holds no blocks), as inline HTML."""
    value = data.get(key)
    if value is None and not required:
        return ""
    if (
        isinstance(value, bool)
        or not isinstance(value, str | int | float)
        or not str(value).strip()
    ):
        at.error(f"`{key}` must be non-empty text", *keys, key)
        return ""
    html = render(str(value), at.line_of(*keys, key)).strip()
    match = _PARAGRAPH.match(html)
    if match is None or "<p>" in match["inner"]:
        at.error(
            f"`{key}` must be one paragraph (inline code and emphasis are fine); put code "
            "blocks in the lesson text before the question",
            *keys,
            key,
        )
        return ""
    return match["inner"]


def _block_markdown(
    value: Any, what: str, at: _Located, render: FieldRender, *keys: str | int
) -> str:
    if value is None:
        return ""
    if (
        isinstance(value, bool)
        or not isinstance(value, str | int | float)
        or not str(value).strip()
    ):
        at.error(f"`{what}` must be non-empty text (Markdown)", *keys)
        return ""
    return render(str(value), at.line_of(*keys))


def _choices_check(
    data: dict[str, Any], question: dict[str, Any], at: _Located, render: FieldRender
) -> None:
    choices = data["choices"]
    if not isinstance(choices, list) or len(choices) < 2:
        at.error("`choices` must be a list of at least two choices", "choices")
        return
    for index, choice in enumerate(choices):
        if not isinstance(choice, dict):
            at.error("each choice is a mapping: text, correct, feedback", "choices", index)
            continue
        for key in choice:
            if key not in _CHOICE_FIELDS:
                known = ", ".join(sorted(_CHOICE_FIELDS))
                at.error(
                    f"unknown choice field {key!r}; known fields: {known}",
                    "choices",
                    index,
                    str(key),
                )
        correct = choice.get("correct", False)
        if not isinstance(correct, bool):
            at.error("`correct` must be true or false", "choices", index, "correct")
        question["choices"].append(
            {
                "html": _inline_markdown(
                    choice, "text", at, render, "choices", index, required=True
                ),
                "correct": correct is True,
                "feedback_html": _block_markdown(
                    choice.get("feedback"), "feedback", at, render, "choices", index, "feedback"
                ),
            }
        )
    right = sum(1 for choice in question["choices"] if choice["correct"])
    if right == 0:
        at.error("no choice is marked `correct: true`", "choices")
    multiple = data.get("multiple", right > 1)
    if not isinstance(multiple, bool):
        at.error("`multiple` must be true or false", "multiple")
    elif not multiple and right > 1:
        at.error(
            f"{right} choices are correct but `multiple: false` lets a learner pick only one",
            "multiple",
        )
    question["multiple"] = multiple is True


def _answers_check(
    data: dict[str, Any], question: dict[str, Any], at: _Located, render: FieldRender
) -> None:
    answers = data.get("answers", [])
    if not isinstance(answers, list):
        answers = [answers]
    for index, answer in enumerate(answers):
        keys: tuple[str | int, ...] = (
            ("answers", index) if isinstance(data.get("answers"), list) else ("answers",)
        )
        # YAML reads `yes` or `no` as a boolean: surely not what was meant.
        if isinstance(answer, bool) or not isinstance(answer, str | int | float):
            at.error("each accepted answer must be text (quote yes, no, true, false)", *keys)
        elif not answer_normalized(str(answer)):
            at.error("an accepted answer is empty", *keys)
        elif len(str(answer)) > ANSWER_MAX_LENGTH:
            at.error(f"an accepted answer is longer than {ANSWER_MAX_LENGTH} characters", *keys)
        else:
            question["answers"].append(answer_normalized(str(answer)))
    pattern = data.get("pattern")
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern.strip():
            at.error("`pattern` must be a regular expression, as text", "pattern")
        else:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                at.error(f"`pattern` is not a valid regular expression: {exc}", "pattern")
            else:
                question["pattern"] = pattern
    if not question["answers"] and not question["pattern"] and at.count == 0:
        at.error("a short-answer question needs at least one of `answers` or `pattern`", "answers")
    feedback = data.get("feedback")
    if feedback is None:
        return
    if not isinstance(feedback, dict):
        at.error("`feedback` of a short answer is a mapping: correct, incorrect", "feedback")
        return
    for key in feedback:
        if key not in _FEEDBACK_FIELDS:
            at.error(
                f"unknown feedback field {key!r}; known fields: correct, incorrect",
                "feedback",
                str(key),
            )
    question["feedback_correct_html"] = _block_markdown(
        feedback.get("correct"), "feedback.correct", at, render, "feedback", "correct"
    )
    question["feedback_incorrect_html"] = _block_markdown(
        feedback.get("incorrect"), "feedback.incorrect", at, render, "feedback", "incorrect"
    )
