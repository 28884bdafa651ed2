from app import validate_signup

GOOD = {
    "username": "grace_h",
    "email": "grace@example.com",
    "age": 45,
    "password": "cobol-compiler-1959",
}


def only_error_for(field, value):
    errors = validate_signup(dict(GOOD, **{field: value}))
    return set(errors) == {field} and isinstance(errors[field], str) and errors[field] != ""


def test_missing_fields_are_reported_by_name():
    assert set(validate_signup({})) == {"username", "email", "age", "password"}
    assert set(validate_signup({"username": "grace_h", "age": 45})) == {"email", "password"}


def test_wrong_types_are_rejected_without_crashing():
    for value in (True, False, 30.0, "30", "abc", None, [30], {"years": 30}):
        assert only_error_for("age", value), f"age={value!r}"
    for value in (12345, None, ["grace_h"]):
        assert only_error_for("username", value), f"username={value!r}"
    for value in (None, 42):
        assert only_error_for("email", value), f"email={value!r}"
    for value in (123456789012345, None):
        assert only_error_for("password", value), f"password={value!r}"


def test_username_allow_list_edge_cases():
    for bad in (
        "",
        "ab",
        "a" * 31,
        "grace hopper",
        "grace\n",
        "gräce",
        "<script>",
        "grace;--",
        "grace-h",
    ):
        assert only_error_for("username", bad), f"username={bad!r} should be rejected"
    for good in ("abc", "A" * 30, "user_01", "___", "Grace1906"):
        assert validate_signup(dict(GOOD, username=good)) == {}, (
            f"username={good!r} should be accepted"
        )


def test_email_password_and_age_boundaries():
    for bad in (
        "",
        "grace@example",
        "grace@@example.com",
        "@example.com",
        "grace@",
        "grace @example.com",
        "grace@example.com\n",
    ):
        assert only_error_for("email", bad), f"email={bad!r} should be rejected"
    for good in ("g.hopper+navy@mail.example.org", "o'brien@example.ie"):
        assert validate_signup(dict(GOOD, email=good)) == {}, f"email={good!r} should be accepted"
    assert only_error_for("password", "x" * 11)
    assert validate_signup(dict(GOOD, password="x" * 12)) == {}
    for age in (13, 120):
        assert validate_signup(dict(GOOD, age=age)) == {}, f"age={age} should be accepted"


def test_signup_endpoint_edge_cases(client):
    for body in ("not json", "[1, 2]", '"grace"'):
        response = client.post(
            "/signup", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, body
        assert "body" in response.json()["errors"], body
    created = client.post("/signup", json=dict(GOOD, is_admin=True, role="owner"))
    assert created.status_code == 201
    assert created.json() == {"username": "grace_h", "email": "grace@example.com", "age": 45}
    rejected = client.post("/signup", json={"username": "g"})
    assert rejected.status_code == 422
    assert set(rejected.json()["errors"]) == {"username", "email", "age", "password"}
