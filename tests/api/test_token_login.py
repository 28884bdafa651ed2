"""POST /api/v1/tokens: a token from a username and password, for `lectern login`
without a browser. Refused credentials, the sign-in limit, JSON only, no CSRF
token, and the password in no log."""

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import SIGN_IN_ATTEMPTS_MAX, SIGN_IN_WINDOW_SECONDS
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

PASSWORD = "learner-password-1"  # the learner fixture's


@pytest.fixture(autouse=True)
def no_earlier_sign_ins() -> Iterator[None]:
    # The limit lives in the process's cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


def sign_in(body: Any, client: Client | None = None, **extra: Any) -> Any:
    return (client or Client()).post(
        "/api/v1/tokens",
        data=json.dumps(body),
        content_type="application/json",
        **extra,
    )


def credentials(password: str = PASSWORD, username: str = "learner", **more: Any) -> Any:
    return {"username": username, "password": password, "name": "build box", **more}


def test_a_username_and_password_make_a_named_token_that_works(learner: User) -> None:
    response = sign_in(credentials())

    assert response.status_code == 201, response.content
    made = response.json()
    assert made["token"].startswith("lct_") and made["signing_secret"].startswith("lcs_")
    assert made["name"] == "build box" and made["username"] == "learner"
    me = ApiClient(made["token"]).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["token"]["name"] == "build box"
    token = ApiToken.objects.get(user=learner)
    # The web page's default lifetime, unless asked for another.
    assert token.expires_at is not None
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)

    week = sign_in(credentials(name="week", expires_days=7))
    assert week.status_code == 201
    expires = ApiToken.objects.get(name="week").expires_at
    assert expires is not None and expires - timezone.now() <= timedelta(days=7)


@pytest.mark.parametrize(
    "body",
    [
        credentials(password="wrong-password"),
        credentials(username="nobody"),
        credentials(username="disabled"),
    ],
    ids=["wrong password", "unknown user", "inactive user"],
)
def test_credentials_that_sign_nobody_in_are_401_and_make_no_token(
    learner: User, body: dict[str, Any]
) -> None:
    User.objects.create_user("disabled", password=PASSWORD, is_active=False)

    response = sign_in(body)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    # The same answer whichever part is wrong: it does not tell which usernames exist.
    assert response.json() == {
        "error": {
            "code": "invalid_credentials",
            "message": "Wrong username or password; check both, or reset the password on the site.",
        }
    }
    assert not ApiToken.objects.exists()


def test_sign_ins_are_limited_per_username_and_address(learner: User, other_learner: User) -> None:
    for _ in range(SIGN_IN_ATTEMPTS_MAX):
        assert sign_in(credentials(password="guess")).status_code == 401

    # Past the limit even the right password is refused: it is not checked at all.
    limited = sign_in(credentials())
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 0 < int(limited["Retry-After"]) <= SIGN_IN_WINDOW_SECONDS
    assert f"try again in {limited['Retry-After']} s" in limited.json()["error"]["message"]
    assert not ApiToken.objects.exists()

    # Another address, or another username from this one, has a window of its own.
    assert sign_in(credentials(), REMOTE_ADDR="192.0.2.7").status_code == 201
    other = credentials(username="other", password="other-password-1")
    assert sign_in(other).status_code == 201

    # A success closes the window: a typo or two do not add up over the day.
    for _ in range(SIGN_IN_ATTEMPTS_MAX - 1):
        assert sign_in({**other, "password": "typo"}).status_code == 401
    assert sign_in(other).status_code == 201
    for _ in range(SIGN_IN_ATTEMPTS_MAX):
        assert sign_in({**other, "password": "typo"}).status_code == 401
    assert sign_in(other).status_code == 429


def test_only_json_is_taken_and_no_csrf_token_is_needed(learner: User) -> None:
    # A browser with a session on the site, and Django's CSRF checks on.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)

    form = browser.post("/api/v1/tokens", credentials())  # multipart, as an HTML form
    text = browser.post("/api/v1/tokens", data=json.dumps(credentials()), content_type="text/plain")
    assert (form.status_code, text.status_code) == (415, 415)
    assert text.json()["error"]["code"] == "unsupported_media_type"
    assert not ApiToken.objects.exists()

    made = sign_in(credentials(), client=browser)
    assert made.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (credentials(expires_days=0), "expires_days"),
        (credentials(name="   "), "name"),
        ({"username": "learner", "name": "x"}, "password"),
    ],
)
def test_a_bad_name_or_lifetime_is_422_naming_the_field(
    learner: User, body: dict[str, Any], field: str
) -> None:
    response = sign_in(body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert not ApiToken.objects.exists()


def test_the_password_is_in_no_log_record(learner: User, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-password-ZQX"

    sign_in(credentials(password=wrong))
    sign_in(credentials(name="n" * 101))  # right password, refused name
    sign_in(credentials())
    for _ in range(SIGN_IN_ATTEMPTS_MAX + 1):
        sign_in(credentials(password=wrong, username="other"))

    assert caplog.records, "nothing was logged at all: the check below would prove nothing"
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''} {vars(record)!r}"
        for record in caplog.records
    )
    assert wrong not in logged and PASSWORD not in logged
