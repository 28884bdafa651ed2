import re

import httpx
import pytest

import app


@pytest.fixture(autouse=True)
def fresh_account(monkeypatch):
    monkeypatch.setattr(
        app, "ACCOUNTS", {"ana": {"password": "wonderland", "email": "ana@example.com"}}
    )


def log_in(client):
    return client.post(
        "/login", data={"username": "ana", "password": "wonderland"}, follow_redirects=True
    )


def token_of(page):
    found = re.search(r'name="csrf_token"\s+value="([^"]*)"', page) or re.search(
        r'value="([^"]*)"\s+name="csrf_token"', page
    )
    return found.group(1) if found else ""


def test_a_post_without_the_token_is_refused(client):
    log_in(client)
    for form in ({"email": "mallory@evil.example"}, {"email": "x", "csrf_token": ""}):
        assert client.post("/email", data=form).status_code == 403, form
    assert app.ACCOUNTS["ana"]["email"] == "ana@example.com"


def test_a_wrong_or_foreign_token_is_refused(client, client_options):
    log_in(client)
    with httpx.Client(**client_options) as attacker:
        # The attacker's own session and its own, valid, token.
        attackers_token = token_of(log_in(attacker).text)
    for token in (attackers_token, "None", "0" * 43, token_of(log_in(client).text) + "x"):
        response = client.post("/email", data={"email": "mallory@evil.example", "csrf_token": token})
        assert response.status_code == 403, token
    assert app.ACCOUNTS["ana"]["email"] == "ana@example.com"


def test_every_session_gets_a_token_of_its_own(client, client_options):
    first = token_of(log_in(client).text)
    with httpx.Client(**client_options) as other:
        second = token_of(log_in(other).text)
    assert first and second and first != second


def test_the_session_cookie_is_samesite_lax(client):
    response = client.post("/login", data={"username": "ana", "password": "wonderland"})
    cookie = response.headers.get("set-cookie", "")
    assert "session=" in cookie
    assert re.search(r"samesite=(lax|strict)", cookie, re.I), cookie
    assert "httponly" in cookie.lower(), cookie


def test_deleting_the_account_needs_a_post_with_the_token(client):
    token = token_of(log_in(client).text)
    assert client.get("/delete?confirm=yes").status_code == 405
    assert client.post("/delete", data={"confirm": "yes"}).status_code == 403
    assert "ana" in app.ACCOUNTS
    assert client.post("/delete", data={"csrf_token": token}).status_code == 200
    assert "ana" not in app.ACCOUNTS
