"""Template source checks: Django's {# #} comment ends at the line's end, so a
comment that goes on over several lines is printed on the page."""

from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_comment_tag_spans_lines() -> None:
    printed = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            opened = line.rfind("{#")
            if opened != -1 and "#}" not in line[opened:]:
                printed.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert printed == [], "use {% comment %} for a comment of several lines"
