# validate_signup runs in the process that runs your code: the tests call it
# with plain dicts. For the endpoint, the grader serves your `app` with a real
# web server and `client` is an httpx.Client connected to it.
import pytest

from app import validate_signup

VALID = {
    "username": "ada_lovelace",
    "email": "ada@example.com",
    "age": 36,
    "password": "analytical-engine-1843",
}


def test_valid_signup_has_no_errors():
    assert validate_signup(dict(VALID)) == {}


def test_each_bad_field_gets_its_own_error():
    data = dict(VALID, username="ad", email="ada-at-example.com")
    errors = validate_signup(data)
    assert set(errors) == {"username", "email"}, (
        f"expected errors for username and email, got {errors}"
    )
    assert all(isinstance(message, str) and message for message in errors.values())


@pytest.mark.parametrize("age", ["abc", 12, 121, -1])
def test_age_must_be_an_integer_from_13_to_120(age):
    errors = validate_signup(dict(VALID, age=age))
    assert "age" in errors, f"age={age!r} should be rejected"


def test_signup_endpoint_answers_201_or_422(client):
    created = client.post("/signup", json=VALID)
    assert created.status_code == 201, (
        f"a valid sign-up should get 201, it got {created.status_code}: {created.text[:200]!r}"
    )
    rejected = client.post("/signup", json=dict(VALID, age=12))
    assert rejected.status_code == 422, (
        f"an invalid sign-up should get 422, it got {rejected.status_code}: {rejected.text[:200]!r}"
    )
    assert set(rejected.json()["errors"]) == {"age"}
