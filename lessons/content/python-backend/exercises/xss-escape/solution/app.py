"""A guest book: anyone can leave a comment, and everyone sees all of them."""

from flask import Flask, redirect, render_template_string, request
from markupsafe import Markup, escape

app = Flask(__name__)

# Each comment is a dict {"author": str, "body": str}, oldest first.
COMMENTS: list[dict[str, str]] = []

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Guest book</title></head>
<body>
  <h1>Guest book</h1>
  <form method="get" action="/">
    <input type="search" name="q" value="{{ q }}">
    <button>Filter</button>
  </form>
  {% if q %}<p>Comments containing {{ q }}:</p>{% endif %}
  <ul>
  {% for comment in comments %}
    <li><strong>{{ comment.author }}</strong>: {{ comment.body|nl2br }}</li>
  {% endfor %}
  </ul>
  <form method="post" action="/comments">
    <input name="author" placeholder="Your name">
    <textarea name="body"></textarea>
    <button>Post</button>
  </form>
</body>
</html>
"""


@app.template_filter("nl2br")
def nl2br(text: str) -> Markup:
    """Show the line breaks a visitor typed as <br> tags.

    Escape each line first; only the <br> tags we add ourselves are markup.
    """
    return Markup("<br>\n").join(escape(line) for line in text.splitlines())


@app.get("/")
def index():
    q = request.args.get("q", "")
    shown = [c for c in COMMENTS if q.lower() in c["body"].lower()]
    return render_template_string(PAGE, comments=shown, q=q)


@app.post("/comments")
def add_comment():
    author = request.form.get("author", "").strip() or "Anonymous"
    body = request.form.get("body", "").strip()
    if body:
        COMMENTS.append({"author": author, "body": body})
    return redirect("/", code=303)
