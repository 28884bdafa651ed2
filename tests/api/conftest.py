"""Tokens for the named users, and a client that sends one."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.models import ApiToken
from accounts.services import NewApiToken, api_token_create


@pytest.fixture
def learner_token(learner: User) -> NewApiToken:
    return api_token_create(user=learner, name="laptop")


@pytest.fixture
def other_token(other_learner: User) -> NewApiToken:
    return api_token_create(user=other_learner, name="other's laptop")


def bearer(token: NewApiToken | str) -> dict[str, str]:
    raw = token if isinstance(token, str) else token.raw_token
    return {"Authorization": f"Bearer {raw}"}


class ApiClient:
    """Django's test client with a token on every request and JSON bodies."""

    def __init__(self, token: NewApiToken | str) -> None:
        self.client = Client()
        self.headers = bearer(token)

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(path, headers={**self.headers, **headers})

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            path,
            data=body if isinstance(body, str | bytes) else __import__("json").dumps(body or {}),
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def api(learner_token: NewApiToken) -> ApiClient:
    return ApiClient(learner_token)


@pytest.fixture
def other_api(other_token: NewApiToken) -> ApiClient:
    return ApiClient(other_token)


def instructor_token(instructor: User, *, scoped: bool = True) -> NewApiToken:
    scopes = [ApiToken.Scope.SUBMIT_FOR_LEARNERS] if scoped else []
    return api_token_create(user=instructor, name="course CI", scopes=scopes)
