# The grader serves your `app` with a real web server. `client` is an
# httpx.Client connected to it; `app.COMMENTS` is the list in the server.
import re

import pytest

import app


@pytest.fixture(autouse=True)
def empty_guestbook(monkeypatch):
    """Start every test with no comments: a new, empty COMMENTS list in the server."""
    monkeypatch.setattr(app, "COMMENTS", [])


def post_comment(client, author, body):
    response = client.post(
        "/comments", data={"author": author, "body": body}, follow_redirects=True
    )
    assert response.status_code == 200, (
        f"POST /comments, then following its redirect to /, should end with 200, "
        f"it ended with {response.status_code}: {response.text[:200]!r}"
    )
    return response.text


def test_comment_appears_on_the_page(client):
    html = post_comment(client, "Ana", "Nice post!")
    listing = html[html.find("<ul>") : html.find("</ul>") + 5]
    assert "<strong>Ana</strong>" in html, (
        f"the page should show <strong>Ana</strong>; its list was {listing!r}"
    )
    assert "Nice post!" in html, "the comment's text should be on the page"


def test_script_tag_in_a_comment_is_escaped(client):
    html = post_comment(client, "Mallory", "<script>alert(1)</script>")
    assert "<script>" not in html, "the comment's <script> tag reached the page as real HTML"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, (
        "the comment should be shown as escaped text"
    )


def test_line_breaks_in_a_comment_become_br(client):
    html = post_comment(client, "Ana", "first line\nsecond line")
    assert re.search(r"first line\s*<br\s*/?>\s*second line", html), (
        "each line break should become a <br>"
    )
