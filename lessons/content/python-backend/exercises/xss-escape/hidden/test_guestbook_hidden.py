from html.parser import HTMLParser

import pytest

import app

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<iframe src=javascript:alert(1)></iframe>",
    "</li><a href=# onclick=alert(1)>click</a>",
]
DANGEROUS_TAGS = {"script", "img", "svg", "iframe", "a", "b"}


class Page(HTMLParser):
    """What a browser would build from the HTML: tags, attributes and text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.br_in_li, self.search_values = [], [], 0, []
        self._in_li = False
        self.feed(html)
        self.close()
        self.text = "".join(self.text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "li":
            self._in_li = True
        elif tag == "br" and self._in_li:
            self.br_in_li += 1
        elif tag == "input" and dict(attrs).get("name") == "q":
            self.search_values.append(dict(attrs).get("value"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "li":
            self._in_li = False

    def handle_data(self, data):
        self.text.append(data)

    def injected(self):
        """Tags or event-handler attributes that came from user input."""
        found = [tag for tag, _ in self.tags if tag in DANGEROUS_TAGS]
        found += [name for _, attrs in self.tags for name in attrs if name.startswith("on")]
        return found


@pytest.fixture(autouse=True)
def empty_guestbook(monkeypatch):
    """Start every test with no comments: a new, empty COMMENTS list in the server."""
    monkeypatch.setattr(app, "COMMENTS", [])


def post_comment(client, author, body):
    response = client.post(
        "/comments", data={"author": author, "body": body}, follow_redirects=True
    )
    assert response.status_code == 200
    return Page(response.text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_the_body_are_shown_as_text(client, payload):
    page = post_comment(client, "Mallory", payload)
    assert page.injected() == []
    assert payload in page.text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_the_author_name_are_shown_as_text(client, payload):
    page = post_comment(client, payload, "hello")
    assert page.injected() == []
    assert payload in page.text


@pytest.mark.parametrize("payload", PAYLOADS + ["' autofocus onfocus='alert(1)"])
def test_search_term_cannot_break_out_of_the_page(client, payload):
    post_comment(client, "Ana", "hello")
    page = Page(client.get("/", params={"q": payload}).text)
    assert page.injected() == []
    assert page.search_values == [payload]


def test_ordinary_text_is_shown_unchanged(client):
    post_comment(client, "Zoë", "Café & crème brûlée")
    body = "It's 5 < 6 > 4 & \"quoted\" — l'été"
    page = post_comment(client, "Renée", body)
    assert "Café & crème brûlée" in page.text and body in page.text
    assert page.text.index("Café") < page.text.index("It's 5"), "comments should stay oldest first"
    assert "Zoë" in page.text and "Renée" in page.text


def test_multiline_comment_keeps_line_breaks_but_no_other_tags(client):
    page = post_comment(client, "Mallory", "<b>bold</b>\n<img src=x onerror=alert(1)>\nthird line")
    assert page.injected() == []
    assert page.br_in_li == 2
    assert "<b>bold</b>" in page.text and "third line" in page.text
