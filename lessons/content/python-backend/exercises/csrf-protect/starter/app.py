"""Account settings for a small site: log in, then change your email or delete
your account. Another site can make a logged-in visitor's browser do both."""

import secrets

from flask import Flask, abort, redirect, render_template_string, request, session

app = Flask(__name__)
app.secret_key = secrets.token_hex(32)

# username -> account; the tests read and reset it in the server.
ACCOUNTS = {"ana": {"password": "wonderland", "email": "ana@example.com"}}

SETTINGS_PAGE = """<!doctype html>
<title>Settings</title>
<p>Signed in as {{ username }} ({{ email }})</p>
<form method="post" action="/email">
  <input name="email" type="email" value="{{ email }}">
  <button>Change email</button>
</form>
<p><a href="/delete?confirm=yes">Delete my account</a></p>
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
    return redirect("/settings")


def current_account():
    username = session.get("username")
    if username not in ACCOUNTS:
        abort(401)
    return username, ACCOUNTS[username]


@app.get("/settings")
def settings():
    username, account = current_account()
    return render_template_string(SETTINGS_PAGE, username=username, email=account["email"])


@app.post("/email")
def change_email():
    username, account = current_account()
    account["email"] = request.form.get("email", "")
    return redirect("/settings")


@app.get("/delete")
def delete_account():
    username, _ = current_account()
    if request.args.get("confirm") == "yes":
        del ACCOUNTS[username]
        session.clear()
    return "Your account is gone."
