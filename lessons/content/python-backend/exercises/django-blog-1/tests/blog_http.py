"""Helpers for the blog's tests: they talk to your site over HTTP, as a browser
would, CSRF tokens and cookies included."""

import html
import re
import uuid

ADA = ("ada", "correct-horse-battery")  # staff: may use /admin/
GRACE = ("grace", "grace-hopper-cobol")
ADA_ID, GRACE_ID = 1, 2

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def answered(response):
    """What the app sent back, in a few words."""
    body = response.text if len(response.text) <= 200 else response.text[:200] + "..."
    return f"status {response.status_code}, body {body!r}"


def csrf_token(client, path):
    """The CSRF token of the form on the page at `path`."""
    page = client.get(path)
    found = _TOKEN.search(page.text)
    assert found, f"GET {path} should show a form with a CSRF token; it answered {answered(page)}"
    return found.group(1)


def log_in(client, user=ADA, path="/admin/login/"):
    username, password = user
    token = csrf_token(client, path)
    response = client.post(
        path,
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, (
        f"logging in as {username} at {path} should redirect; it answered {answered(response)}"
    )
    return response


def unique_slug(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def add_post_in_admin(client, *, title, slug, body="Some text.", published_at="", author_id=ADA_ID):
    """Add a post with the admin's form (log in as ada first). `published_at`
    is "YYYY-MM-DD HH:MM:SS", or "" for a draft."""
    date, _, time = published_at.partition(" ")
    token = csrf_token(client, "/admin/blog/post/add/")
    return client.post(
        "/admin/blog/post/add/",
        data={
            "csrfmiddlewaretoken": token,
            "title": title,
            "slug": slug,
            "body": body,
            "published_at_0": date,
            "published_at_1": time,
            "author": str(author_id),
            "_save": "Save",
        },
    )


def titles_in_list(page):
    """The titles of the list page's links to posts, in order."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        for href, text in re.findall(r'<a href="(/posts/[^"]+/)">(.*?)</a>', page.text, re.S)
    ]
