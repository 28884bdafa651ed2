"""Front matter and Markdown for course content.

Everything an author writes goes through here once, when the content is
loaded; the site only serves the stored HTML. Errors carry the file and line so
that `load_lessons` can point at the exact spot, the way a compiler would.
"""

import functools
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import markdown
import nh3
import yaml
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_FENCE = "---"


class ContentError(Exception):
    """One problem in the course content, located as `path:line`."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class FrontMatter:
    """The parsed YAML header of a content file and the Markdown after it."""

    path: str
    data: dict[str, Any]
    body: str
    # 1-based line in the file where the body starts.
    body_line: int
    # Line of each key, by its path of keys and list indexes: ("tests", "test_x").
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, *keys: str | int) -> int:
        """The line of the deepest known key on that path (1 if none is known)."""
        for end in range(len(keys), 0, -1):
            line = self.lines.get(tuple(keys[:end]))
            if line is not None:
                return line
        return 1

    def error(self, message: str, *keys: str | int) -> ContentError:
        return ContentError(self.path, self.line_of(*keys), message)


def front_matter_split(text: str, *, path: Path | str) -> FrontMatter:
    """Split `---`-fenced YAML front matter from the body. No fence: empty data."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != _FENCE:
        return FrontMatter(path=str(path), data={}, body=text, body_line=1)
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() == _FENCE:
            closing = index
            break
    else:
        raise ContentError(path, 1, "front matter opened with '---' is never closed")

    yaml_text = "".join(lines[1:closing])
    # The YAML starts on line 2 of the file.
    offset = 2
    data, key_lines = yaml_parse(yaml_text, path=path, first_line=offset, what="front matter")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(path, offset, "front matter must be a mapping of `field: value` lines")
    return FrontMatter(
        path=str(path),
        data=data,
        body="".join(lines[closing + 1 :]),
        body_line=closing + 2,
        lines=key_lines,
    )


def yaml_parse(
    text: str, *, path: Path | str, first_line: int, what: str
) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """YAML written at `first_line` of the file `path`, and the line of each key
    by its path of keys and list indexes. Errors name `what` was not valid."""
    # Marks from PyYAML are 0-based.
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else first_line
        problem = exc.problem or str(exc)
        raise ContentError(path, line, f"{what} is not valid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(path, first_line, f"{what} is not valid YAML: {exc}") from exc
    key_lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _key_lines_collect(node, (), key_lines, offset=first_line, path=path)
    return data, key_lines


def _key_lines_collect(
    node: yaml.Node,
    prefix: tuple[str | int, ...],
    out: dict[tuple[str | int, ...], int],
    *,
    offset: int,
    path: Path | str,
) -> None:
    # PyYAML keeps the last of two equal keys without a word; an author who
    # wrote `title:` twice almost certainly did not mean that, so say so.
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + offset
            if key in seen:
                raise ContentError(path, line, f"field {key!r} is given twice")
            seen.add(key)
            out[(*prefix, key)] = line
            _key_lines_collect(value_node, (*prefix, key), out, offset=offset, path=path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[(*prefix, index)] = item.start_mark.line + offset
            _key_lines_collect(item, (*prefix, index), out, offset=offset, path=path)


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    # A nested <ul> of the h2/h3 headings, or "" when there are none.
    toc_html: str
    # Plain text of the first h1, if the text has one.
    title: str | None


_EXTENSIONS = [
    "tables",
    "attr_list",
    "def_list",
    "toc",
    "admonition",
    "pymdownx.details",
    "pymdownx.highlight",
    "pymdownx.superfences",
    "pymdownx.inlinehilite",
]
_EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": "#", "permalink_title": "Link to this section"},
    # Classes only: the colours live in static/css/pygments.css, so the pages
    # work under a Content-Security-Policy without 'unsafe-inline' styles.
    "pymdownx.highlight": {
        "use_pygments": True,
        "noclasses": False,
        "css_class": "highlight",
        "guess_lang": False,
    },
}
_TOC_MAX_LEVEL = 3


# Given a link's href and its line in the rendered text (1-based), the href to
# write instead. Called for every Markdown link, so it also sees links to keep.
LinkResolver = Callable[[str, int], str]


_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def _code_blanked(text: str) -> str:
    """`text` with code blocks and code spans emptied, lines kept: a link
    written inside code is not a link, and must not be mistaken for one."""
    lines = text.split("\n")
    fence = ""
    for index, line in enumerate(lines):
        opening = _FENCE_OPEN.match(line)
        if fence:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            lines[index] = ""
        elif opening:
            fence = opening.group(1)
            lines[index] = ""
        else:
            lines[index] = _CODE_SPAN.sub("", line)
    return "\n".join(lines)


class _LinkLines:
    """Where each link target is written in the Markdown source, in order.

    The element tree has no line numbers, so the n-th link to a target is
    matched with the n-th place the source writes that target after `](`,
    `](<` or `]:` (a reference definition, which several links may share).
    """

    def __init__(self, text: str) -> None:
        self.text = _code_blanked(text)
        self.searched_from: dict[str, int] = {}

    def line_of(self, href: str) -> int:
        pattern = re.compile(
            r"(?:\]\([ \t]*<?|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?)("
            + re.escape(href)
            + r")(?=[\s)>]|$)",
            re.MULTILINE,
        )
        start = self.searched_from.get(href, 0)
        found = pattern.search(self.text, start) or pattern.search(self.text)
        if found is None:
            return 1
        self.searched_from[href] = found.end()
        return self.text.count("\n", 0, found.start(1)) + 1


class _LinkRewriter(Treeprocessor):
    def __init__(self, md: markdown.Markdown, *, text: str, resolver: LinkResolver) -> None:
        super().__init__(md)
        self.lines = _LinkLines(text)
        self.resolver = resolver

    def run(self, root: etree.Element) -> None:
        for element in root.iter("a"):
            href = element.get("href")
            if href:
                element.set("href", self.resolver(href, self.lines.line_of(href)))


class _LinkExtension(Extension):
    def __init__(self, *, text: str, resolver: LinkResolver) -> None:
        super().__init__()
        self.text = text
        self.resolver = resolver

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Below "unescape" (priority 0), so hrefs hold their final characters.
        rewriter = _LinkRewriter(md, text=self.text, resolver=self.resolver)
        md.treeprocessors.register(rewriter, "lectern_links", -10)


# What author content may contain after rendering. Raw HTML in Markdown is
# allowed, but a course may come from anyone with write access to a content
# folder, so scripts, event handlers, frames and javascript: URLs never reach
# a page (docs/security.md).
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul", "var",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "details": {"open"},
}


def _sanitized(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        # Table cells carry Markdown's column alignment, and nothing else.
        filter_style_properties={"text-align"},
        link_rel=None,
    )


# Given the text inside a ```question fence, the HTML to put in its place.
QuestionFence = Callable[[str], str]


def markdown_render(
    text: str,
    *,
    smart: bool = True,
    link_resolver: LinkResolver | None = None,
    question_fence: QuestionFence | None = None,
) -> RenderedMarkdown:
    """Render author Markdown to HTML that is safe to put in a page.

    Raw HTML is allowed, then cleaned to an allow-list (_sanitized).
    `link_resolver`, if given, may rewrite the target of every Markdown link
    (raw HTML `<a>` tags are left as written). `question_fence`, if given,
    renders each ```question block (lessons/loader/questions.py); without it
    such a block is shown as code.
    """
    extensions: list[str | Extension] = [*_EXTENSIONS, "smarty"] if smart else list(_EXTENSIONS)
    if link_resolver is not None:
        extensions.append(_LinkExtension(text=text, resolver=link_resolver))
    configs = _EXTENSION_CONFIGS
    if question_fence is not None:
        fence = {"name": "question", "class": "question", "format": _fence_format(question_fence)}
        configs = {**configs, "pymdownx.superfences": {"custom_fences": [fence]}}
    # A fresh instance per call: Markdown objects keep state and are not thread-safe.
    md = markdown.Markdown(extensions=extensions, extension_configs=configs)
    body = _sanitized(md.convert(text))
    tokens: list[dict[str, Any]] = getattr(md, "toc_tokens", [])
    return RenderedMarkdown(html=body, toc_html=_toc_html(tokens), title=_first_h1(tokens))


def _fence_format(question_fence: QuestionFence) -> Callable[..., str]:
    # SuperFences' formatter signature; it passes more keywords than we need.
    def formatted(
        source: str, language: str, class_name: str, options: Any, md: Any, **_: Any
    ) -> str:
        return question_fence(source)

    return formatted


# File suffix -> Pygments lexer name, for showing whole files.
_CODE_LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".html": "html+jinja",
    ".css": "css",
    ".js": "javascript",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".cfg": "ini",
    ".ini": "ini",
    ".sql": "sql",
    ".md": "markdown",
    ".sh": "bash",
}


# Every lesson page shows its exercises' test files; they change only on a reload.
@functools.lru_cache(maxsize=256)
def code_render(text: str, *, filename: str) -> str:
    """A whole file as a highlighted block, with the same classes as Markdown code."""
    language = _CODE_LANGUAGES.get(PurePosixPath(filename).suffix.lower(), "text")
    # A fence longer than any run of backticks in the file cannot be closed by it.
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return markdown_render(f"{fence}{language}\n{body}{fence}\n", smart=False).html


def _first_h1(tokens: list[dict[str, Any]]) -> str | None:
    for token in tokens:
        if token["level"] == 1:
            return html.unescape(str(token["name"]))
    return None


def _toc_entries(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The h1 is the page title, not an entry: its sections take its place.
    entries: list[dict[str, Any]] = []
    for token in tokens:
        if token["level"] == 1:
            entries.extend(_toc_entries(token["children"]))
        elif token["level"] <= _TOC_MAX_LEVEL:
            entries.append(token)
    return entries


def _toc_html(tokens: list[dict[str, Any]]) -> str:
    entries = _toc_entries(tokens)
    if not entries:
        return ""
    items = []
    for token in entries:
        # `name` is already escaped text; `id` comes from the slugifier.
        link = f'<a href="#{html.escape(token["id"])}">{token["name"]}</a>'
        children = [c for c in token["children"] if c["level"] <= _TOC_MAX_LEVEL]
        nested = _toc_html(children) if children else ""
        items.append(f"<li>{link}{nested}</li>")
    return "<ul>" + "".join(items) + "</ul>"
