"""Personal access tokens: made and shown once, stored as a hash, listed,
revoked, expired, and the 401s of the API for each way a token can be wrong."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import (
    ApiTokenInvalid,
    ApiTokenRejected,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from lessons.models import Course
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_only_its_hash_is_stored(learner: User) -> None:
    made = api_token_create(user=learner, name="laptop")

    assert made.raw_token.startswith("lct_") and len(made.raw_token) == 44
    assert made.signing_secret.startswith("lcs_")
    stored = ApiToken.objects.get(pk=made.token.pk)
    assert stored.token_hash == hashlib.sha256(made.raw_token.encode()).hexdigest()
    assert made.raw_token not in str(ApiToken.objects.filter(pk=stored.pk).values().get())
    assert stored.prefix == made.raw_token[:10]


def test_the_profile_page_creates_lists_and_revokes_tokens(learner: User) -> None:
    browser = Client()
    browser.force_login(learner)

    created = browser.post("/accounts/tokens/", {"name": "CI", "expires": "30"})
    assert created.status_code == 200
    page = created.content.decode()
    token = ApiToken.objects.get(user=learner)
    raw = page.split('data-testid="new-token"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert raw.startswith("lct_")
    assert api_token_authenticate(raw_token=raw).pk == token.pk
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)

    # Shown once: the list shows the name and the first characters only.
    listing = browser.get("/accounts/tokens/").content.decode()
    assert "CI" in listing and token.prefix in listing
    assert raw not in listing

    browser.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in browser.get("/accounts/tokens/").content.decode()


def test_the_profile_page_needs_a_login() -> None:
    response = Client().get("/accounts/tokens/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_nobody_revokes_another_learners_token(learner: User, other_learner: User) -> None:
    made = api_token_create(user=learner, name="laptop")
    intruder = Client()
    intruder.force_login(other_learner)

    intruder.post(f"/accounts/tokens/{made.token.pk}/revoke/")

    made.token.refresh_from_db()
    assert made.token.revoked_at is None
    assert api_token_revoke(user=other_learner, token_id=made.token.pk) is False


def test_a_name_is_required_and_an_expiry_must_be_in_the_future(learner: User) -> None:
    with pytest.raises(ApiTokenInvalid):
        api_token_create(user=learner, name="  ")
    with pytest.raises(ApiTokenInvalid):
        api_token_create(user=learner, name="x", expires_at=timezone.now() - timedelta(days=1))


def test_only_instructors_get_the_submit_for_learners_scope(
    learner: User, instructor: User, flask_exercise: object
) -> None:
    scope = [ApiToken.Scope.SUBMIT_FOR_LEARNERS]
    with pytest.raises(ApiTokenInvalid):
        api_token_create(user=learner, name="ci", scopes=scope)
    with pytest.raises(ApiTokenInvalid):
        api_token_create(user=instructor, name="ci", scopes=scope)  # staff, but teaches nothing

    Course.objects.get(slug="python-backend").instructors.add(instructor)
    made = api_token_create(user=instructor, name="ci", scopes=scope)
    assert made.token.has_scope(ApiToken.Scope.SUBMIT_FOR_LEARNERS)


def test_last_used_is_recorded_when_the_token_is_used(learner: User) -> None:
    made = api_token_create(user=learner, name="laptop")
    assert made.token.last_used_at is None

    response = ApiClient(made).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == "learner"
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None


def test_an_expired_token_is_refused(learner: User) -> None:
    made = api_token_create(
        user=learner, name="old", expires_at=timezone.now() + timedelta(seconds=30)
    )
    ApiToken.objects.filter(pk=made.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ApiTokenRejected) as rejected:
        api_token_authenticate(raw_token=made.raw_token)
    assert rejected.value.code == "token_expired"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "authentication_required"),
        ("Basic bGVhcm5lcjpwYXNz", "authentication_required"),
        ("Bearer ", "authentication_required"),
        ("Bearer not-a-token", "invalid_token"),
        ("Bearer lct_" + "x" * 40, "invalid_token"),
        ("revoked", "token_revoked"),
        ("expired", "token_expired"),
        ("disabled", "account_disabled"),
    ],
)
def test_the_api_answers_401_json_for_every_bad_token(
    learner: User, header: str | None, code: str
) -> None:
    made = api_token_create(user=learner, name="laptop")
    if header == "revoked":
        api_token_revoke(user=learner, token_id=made.token.pk)
    if header == "expired":
        ApiToken.objects.filter(pk=made.token.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    if header == "disabled":
        User.objects.filter(pk=learner.pk).update(is_active=False)
    if header in ("revoked", "expired", "disabled"):
        header = f"Bearer {made.raw_token}"

    for path in ("/api/v1/courses", "/api/v1/submissions?exercise=x"):
        response = Client().get(path, headers={"Authorization": header} if header else {})
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["error"]["code"] == code
    posted = Client().post(
        "/api/v1/submissions",
        data="{}",
        content_type="application/json",
        headers={"Authorization": header} if header else {},
    )
    assert posted.status_code == 401
