"""Account settings for a small site: log in, then change your email or delete
your account. Only forms this site served can do either."""

import hmac
import secrets

from flask import Flask, abort, redirect, render_template_string, request, session

app = Flask(__name__)
app.secret_key = secrets.token_hex(32)
# The browser leaves the session cookie off cross-site POSTs: a first wall.
app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True)

# username -> account; the tests read and reset it in the server.
ACCOUNTS = {"ana": {"password": "wonderland", "email": "ana@example.com"}}

SETTINGS_PAGE = """<!doctype html>
<title>Settings</title>
<p>Signed in as {{ username }} ({{ email }})</p>
<form method="post" action="/email">
  <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
  <input name="email" type="email" value="{{ email }}">
  <button>Change email</button>
</form>
<form method="post" action="/delete">
  <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
  <button>Delete my account</button>
</form>
"""


@app.post("/login")
def login():
    username = request.form.get("username", "")
    account = ACCOUNTS.get(username)
    if account is None or not secrets.compare_digest(
        account["password"], request.form.get("password", "")
    ):
        abort(401)
    session.clear()
    session["username"] = username
    # A new token with every login: one another site cannot read or guess.
    session["csrf_token"] = secrets.token_urlsafe(32)
    return redirect("/settings")


def current_account():
    username = session.get("username")
    if username not in ACCOUNTS:
        abort(401)
    return username, ACCOUNTS[username]


def check_csrf_token():
    """Refuse a form that did not come from one of this session's pages."""
    expected = session.get("csrf_token", "")
    sent = request.form.get("csrf_token", "")
    # compare_digest takes as long whatever the first difference: no timing leak.
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(403)


@app.get("/settings")
def settings():
    username, account = current_account()
    return render_template_string(
        SETTINGS_PAGE,
        username=username,
        email=account["email"],
        csrf_token=session["csrf_token"],
    )


@app.post("/email")
def change_email():
    username, account = current_account()
    check_csrf_token()
    account["email"] = request.form.get("email", "")
    return redirect("/settings")


# POST only: a GET can be sent by an <img> on any page.
@app.post("/delete")
def delete_account():
    username, _ = current_account()
    check_csrf_token()
    del ACCOUNTS[username]
    session.clear()
    return "Your account is gone."
