import re

import pytest

from app import COMMENTS, app


@pytest.fixture
def client():
    COMMENTS.clear()
    return app.test_client()


def post_comment(client, author, body):
    response = client.post(
        "/comments", data={"author": author, "body": body}, follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_comment_appears_on_the_page(client):
    html = post_comment(client, "Ana", "Nice post!")
    assert "<strong>Ana</strong>" in html
    assert "Nice post!" in html


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
