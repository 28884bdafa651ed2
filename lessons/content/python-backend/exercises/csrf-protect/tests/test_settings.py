# The grader serves your `app` with a real web server. `client` is an
# httpx.Client connected to it, which keeps cookies like a browser;
# `app.ACCOUNTS` is the dict in the server.
import re

import pytest

import app


@pytest.fixture(autouse=True)
def fresh_account(monkeypatch):
    monkeypatch.setattr(
        app, "ACCOUNTS", {"ana": {"password": "wonderland", "email": "ana@example.com"}}
    )


def log_in(client):
    response = client.post(
        "/login", data={"username": "ana", "password": "wonderland"}, follow_redirects=True
    )
    assert response.status_code == 200, (
        f"logging in should end on the settings page with 200, it ended with "
        f"{response.status_code}: {response.text[:200]!r}"
    )
    return response.text


def form_token(page):
    """The value of the csrf_token field of the first form on a page, or None."""
    found = re.search(r'name="csrf_token"\s+value="([^"]*)"', page) or re.search(
        r'value="([^"]*)"\s+name="csrf_token"', page
    )
    return found.group(1) if found else None


def test_the_settings_form_carries_a_token(client):
    page = log_in(client)
    token = form_token(page)
    assert token, (
        'the email form should have a hidden field named "csrf_token" with the '
        f"session's token as its value; the page was {page[:400]!r}"
    )
    assert len(token) >= 16, f"a token of {len(token)} characters is too easy to guess"


def test_changing_the_email_from_the_form_works(client):
    token = form_token(log_in(client))
    response = client.post(
        "/email", data={"email": "ana@new.example", "csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200, (
        f"POST /email from the page's form answered {response.status_code}"
    )
    assert app.ACCOUNTS["ana"]["email"] == "ana@new.example"
