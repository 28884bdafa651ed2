"""No secret reaches the log: an Authorization header that is not `Bearer <token>`
(another scheme, a bare token, Basic credentials) is refused with 401 and
nothing of its value is logged, also with DEBUG on (where Django Ninja's own
HttpBearer logs the whole header at ERROR)."""

import base64
import logging
from typing import Any

import pytest

from accounts.services import NewApiToken
from lessons.models import Exercise
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)


def header_forms(raw: str) -> dict[str, str]:
    basic = base64.b64encode(f"learner:{raw}".encode()).decode()
    return {
        "Token scheme": f"Token {raw}",
        "bare token": raw,
        "Basic credentials": f"Basic {basic}",
        "Basic with the token as user name": "Basic "
        + base64.b64encode(f"{raw}:".encode()).decode(),
        "lower-case other scheme": f"token {raw}",
    }


@pytest.mark.parametrize(
    "form",
    [
        "Token scheme",
        "bare token",
        "Basic credentials",
        "Basic with the token as user name",
        "lower-case other scheme",
    ],
)
@pytest.mark.parametrize("debug", [True, False])
def test_a_token_sent_the_wrong_way_is_refused_and_never_logged(
    learner_token: NewApiToken,
    flask_exercise: Exercise,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    form: str,
    debug: bool,
) -> None:
    settings.DEBUG = debug
    raw = learner_token.raw_token
    value = header_forms(raw)[form]
    caplog.set_level(logging.DEBUG)

    for response in (
        ApiClient(raw).client.get("/api/v1/me", headers={"Authorization": value}),
        ApiClient(raw).client.post(
            "/api/v1/submissions",
            data="{}",
            content_type="application/json",
            headers={"Authorization": value},
        ),
    ):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_required"
        assert response["WWW-Authenticate"].startswith("Bearer")

    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    secret = raw.removeprefix("lct_")
    assert secret not in logged
    assert value.split()[-1] not in logged  # the Basic credentials, encoded
    assert raw[: len(raw) // 2] not in logged


def test_the_right_scheme_still_authenticates(
    learner_token: NewApiToken, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.DEBUG = True
    caplog.set_level(logging.DEBUG)
    for value in (f"Bearer {learner_token.raw_token}", f"bearer  {learner_token.raw_token} "):
        response = ApiClient(learner_token).client.get(
            "/api/v1/me", headers={"Authorization": value}
        )
        assert response.status_code == 200, value
        assert response.json()["username"] == "learner"
    assert learner_token.raw_token.removeprefix("lct_") not in caplog.text


def test_a_refused_bearer_token_is_not_logged_either(
    learner_token: NewApiToken, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.DEBUG = True
    caplog.set_level(logging.DEBUG)
    wrong = learner_token.raw_token[:-4] + "0000"
    response = ApiClient(wrong).get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"
    assert wrong.removeprefix("lct_") not in caplog.text
