"""Sign up, log in, log out and reset a password, with Django's auth views."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-password-42"


def signup(client: Client, **overrides: str) -> Any:
    data = {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": "correct-horse-battery",
        "password2": "correct-horse-battery",
    }
    data.update(overrides)
    return client.post("/accounts/signup/?next=/courses/python-backend/hello-flask/", data)


def test_the_signup_page_has_labelled_fields(client: Client) -> None:
    response = client.get("/accounts/signup/")

    assert response.status_code == 200
    for field in ("username", "email", "password1", "password2"):
        assert f'for="id_{field}"' in response.text
        assert f'id="id_{field}"' in response.text


def test_signing_up_creates_the_account_logs_in_and_goes_back(client: Client) -> None:
    response = signup(client)

    assert response.status_code == 302
    assert response["Location"] == "/courses/python-backend/hello-flask/"
    user = User.objects.get(username="newcomer")
    assert user.email == "newcomer@example.com"
    assert user.check_password("correct-horse-battery")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "Signed in as <strong>newcomer</strong>" in client.get("/").text


def test_signup_ignores_a_next_url_on_another_site(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": "correct-horse-battery",
            "password2": "correct-horse-battery",
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == "/"


def test_a_taken_username_is_refused(client: Client, learner: User) -> None:
    response = signup(client, username="learner")

    assert response.status_code == 200
    assert "A user with that username already exists." in response.text
    assert 'aria-invalid="true"' in response.text
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_a_taken_email_address_is_refused(client: Client, learner: User) -> None:
    response = signup(client, email="LEARNER@example.com")

    assert response.status_code == 200
    assert "An account with this email address exists already" in response.text
    assert not User.objects.filter(username="newcomer").exists()


def test_mismatched_passwords_are_refused(client: Client) -> None:
    response = signup(client, password2="something-else-entirely")

    assert response.status_code == 200
    assert "The two password fields didn\u2019t match." in response.text
    assert not User.objects.filter(username="newcomer").exists()


def test_a_missing_email_is_refused(client: Client) -> None:
    response = signup(client, email="")

    assert response.status_code == 200
    assert not User.objects.filter(username="newcomer").exists()


def test_log_in_and_out(client: Client, learner: User) -> None:
    page = client.get("/accounts/login/?next=/courses/python-backend/")
    assert page.status_code == 200
    assert 'for="id_username"' in page.text and 'for="id_password"' in page.text

    response = client.post(
        "/accounts/login/",
        {"username": "learner", "password": "learner-password-1", "next": "/courses/x/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/courses/x/"
    assert int(client.session["_auth_user_id"]) == learner.pk

    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "You are logged out" in response.text
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_refused_with_a_message(client: Client, learner: User) -> None:
    response = client.post("/accounts/login/", {"username": "learner", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_logging_out_needs_a_post(client: Client, learner: User) -> None:
    client.force_login(learner)

    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session


def test_the_header_links_come_back_to_the_page(client: Client) -> None:
    text = client.get("/").text

    assert 'href="/accounts/login/?next=%2F"' in text
    assert 'href="/accounts/signup/?next=%2F"' in text


def test_a_password_reset_mails_a_link_that_works(client: Client, learner: User) -> None:
    response = client.post("/accounts/password_reset/", {"email": "learner@example.com"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["learner@example.com"]
    assert message.subject == "Reset your Lectern password"
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", str(message.body))
    assert link is not None

    # Django swaps the token in the URL for one in the session, then shows the form.
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    assert "Choose a new password" in response.text
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Your password is changed" in client.get(response["Location"]).text

    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)
    # The link works once.
    assert "This link does not work" in client.get(link.group(1), follow=True).text


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client: Client) -> None:
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []
