import pytest

from lessons.markdown_render import ContentError, front_matter_split, markdown_render

TEXT = """\
# The title

Intro.

## Section one

| Method | Path |
|--------|------|
| GET    | /hello |

```python
def hello():
    return {"message": "Hello"}
```

!!! note "Remember this"
    Admonition body.

??? tip "Click me"
    Hidden detail.

### A sub-section
"""


def test_tables_render():
    html = markdown_render(TEXT).html
    assert "<table>" in html
    assert "<th>Method</th>" in html
    assert "<td>/hello</td>" in html


def test_fenced_code_is_highlighted_with_pygments_classes_not_inline_styles():
    html = markdown_render(TEXT).html
    assert '<div class="highlight">' in html
    assert '<span class="k">def</span>' in html
    assert "style=" not in html


def test_admonition_and_details():
    html = markdown_render(TEXT).html
    assert '<div class="admonition note">' in html
    assert '<p class="admonition-title">Remember this</p>' in html
    assert '<details class="tip">' in html
    assert "<summary>Click me</summary>" in html


def test_headings_get_anchors_and_the_toc_is_separate():
    rendered = markdown_render(TEXT)
    assert '<h2 id="section-one">' in rendered.html
    assert 'class="headerlink" href="#section-one"' in rendered.html
    assert '<a href="#section-one">Section one</a>' in rendered.toc_html
    assert '<a href="#a-sub-section">A sub-section</a>' in rendered.toc_html
    # The h1 is the title, not a table of contents entry.
    assert "the-title" not in rendered.toc_html
    assert rendered.title == "The title"


def test_no_headings_means_no_toc_and_no_title():
    rendered = markdown_render("Just a paragraph.")
    assert rendered.toc_html == ""
    assert rendered.title is None


def test_smart_punctuation_is_optional():
    # Curly quotes, written as characters once the HTML is cleaned.
    assert "\u201cquoted\u201d" in markdown_render('"quoted"').html
    assert '"quoted"' in markdown_render('"quoted"', smart=False).html


def test_front_matter_is_split_from_the_body():
    front = front_matter_split("---\ntitle: Hi\ntags: [a, b]\n---\nBody line\n", path="x.md")
    assert front.data == {"title": "Hi", "tags": ["a", "b"]}
    assert front.body == "Body line\n"
    assert front.body_line == 5
    assert front.line_of("tags") == 3
    assert front.line_of("tags", 1) == 3


def test_no_front_matter_means_empty_data():
    front = front_matter_split("# Just Markdown\n", path="x.md")
    assert front.data == {}
    assert front.body == "# Just Markdown\n"


def test_front_matter_lines_of_nested_keys():
    text = "---\ntitle: T\ntests:\n  test_a: 1\n  test_b:\n    points: 2\n---\n"
    front = front_matter_split(text, path="x.md")
    assert front.line_of("tests", "test_b") == 5
    assert front.line_of("tests", "test_b", "points") == 6
    assert front.line_of("missing") == 1


def test_invalid_yaml_names_file_and_line():
    text = "---\ntitle: ok\nsummary: [unclosed\nother: 1\n---\nBody\n"
    with pytest.raises(ContentError) as caught:
        front_matter_split(text, path="course/lesson.md")
    assert caught.value.path == "course/lesson.md"
    assert caught.value.line in (3, 4)
    assert str(caught.value).startswith(f"course/lesson.md:{caught.value.line}: ")
    assert "not valid YAML" in str(caught.value)


def test_unclosed_front_matter_is_an_error_at_line_1():
    with pytest.raises(ContentError, match=r"^a\.md:1: front matter .* never closed"):
        front_matter_split("---\ntitle: x\n\nBody\n", path="a.md")


def test_front_matter_that_is_not_a_mapping():
    with pytest.raises(ContentError, match=r"^a\.md:2: front matter must be a mapping"):
        front_matter_split("---\n- a\n- b\n---\n", path="a.md")


def test_duplicate_front_matter_key_is_an_error_on_its_line():
    with pytest.raises(ContentError, match=r"^a\.md:3: field 'title' is given twice"):
        front_matter_split("---\ntitle: a\ntitle: b\n---\n", path="a.md")


def test_content_error_renders_as_path_line_message():
    assert str(ContentError("a/b.md", 7, "bad thing")) == "a/b.md:7: bad thing"


def test_link_resolver_sees_every_markdown_link_with_its_line() -> None:
    text = (
        "Intro [one](a.md).\n"  # line 1
        "\n"
        "```python\n"
        "x = '[not a link](a.md)'\n"
        "```\n"
        "\n"
        "- item [two](a.md#part)\n"  # line 7
        "\n"
        '!!! note "N"\n'
        "    Inside [three][ref].\n"  # the reference is defined on line 12
        "\n"
        "[ref]: b.md\n"
        '<a href="raw.md">raw HTML</a> and [again](a.md)\n'  # line 13
    )
    seen: list[tuple[str, int]] = []

    def resolver(href: str, line: int) -> str:
        seen.append((href, line))
        return "/resolved/" + href

    html = markdown_render(text, link_resolver=resolver).html

    assert seen == [("a.md", 1), ("a.md#part", 7), ("b.md", 12), ("a.md", 13)]
    assert 'href="/resolved/a.md#part"' in html
    assert 'href="raw.md"' in html
    assert "[not a link](a.md)" in html


def test_heading_anchors_reach_the_resolver_unchanged() -> None:
    html = markdown_render("## Title\n", link_resolver=lambda href, line: href).html
    assert 'href="#title"' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert('x')</script>",
        "[click](javascript:alert('x'))",
        '<a href="javascript:alert(1)">click</a>',
        '<img src="x" onerror="alert(1)">',
        '<iframe src="https://example.com"></iframe>',
        '<p onclick="alert(1)">text</p>',
        "<svg><script>alert(1)</script></svg>",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "<style>body { display: none }</style>",
        '<form action="https://evil.example"><input name="q"></form>',
    ],
)
def test_raw_html_from_authors_renders_inert(hostile: str) -> None:
    rendered = markdown_render(f"Before.\n\n{hostile}\n\nAfter.").html.lower()

    for dangerous in (
        "<script",
        "javascript:",
        "onerror",
        "onclick",
        "<iframe",
        "data:text/html",
        "<style",
        "<form",
        "<input",
    ):
        assert dangerous not in rendered
    assert "before." in rendered and "after." in rendered


def test_sanitising_keeps_what_lessons_use() -> None:
    rendered = markdown_render(
        '# Title\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n!!! note "Heads up"\n    Text.\n\n'
        "```python\nx = 1\n```\n\n[link](https://example.com) and [local](/courses/x/y/#z)\n\n"
        '??? question "Why?"\n    Because.\n'
    ).html

    assert 'style="text-align:left"' in rendered
    assert 'class="admonition note"' in rendered
    assert 'class="highlight"' in rendered and '<span class="' in rendered
    assert 'href="https://example.com"' in rendered
    assert 'href="/courses/x/y/#z"' in rendered
    assert "<details" in rendered and "<summary" in rendered
    assert 'id="title"' in rendered
