"""Sign-up endpoint: validates the JSON body before anything is stored."""

import re

from flask import Flask, request

app = Flask(__name__)

USERNAME_RE = re.compile(r"[A-Za-z0-9_]{3,30}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MIN_AGE, MAX_AGE = 13, 120
MIN_PASSWORD_LENGTH = 12
REQUIRED = "This field is required."


def _username_error(value: object) -> str | None:
    if not isinstance(value, str):
        return "Username must be a string."
    # fullmatch, not match: "$" would also accept a trailing newline.
    if not USERNAME_RE.fullmatch(value):
        return "Use 3 to 30 characters: letters A-Z, digits and underscores."
    return None


def _email_error(value: object) -> str | None:
    if not isinstance(value, str):
        return "Email must be a string."
    if len(value) > 254 or not EMAIL_RE.fullmatch(value):
        return "Enter an email address like name@example.com."
    return None


def _age_error(value: object) -> str | None:
    # bool is a subclass of int, so True would otherwise count as 1.
    if isinstance(value, bool) or not isinstance(value, int):
        return "Age must be a whole number."
    if not MIN_AGE <= value <= MAX_AGE:
        return f"Age must be between {MIN_AGE} and {MAX_AGE}."
    return None


def _password_error(value: object) -> str | None:
    if not isinstance(value, str):
        return "Password must be a string."
    if len(value) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    return None


CHECKS = {
    "username": _username_error,
    "email": _email_error,
    "age": _age_error,
    "password": _password_error,
}


def validate_signup(data: dict) -> dict[str, str]:
    """Return {field: error message} for every invalid field; {} if all is well."""
    errors = {}
    for field, check in CHECKS.items():
        if field not in data:
            errors[field] = REQUIRED
            continue
        message = check(data[field])
        if message:
            errors[field] = message
    return errors


@app.post("/signup")
def signup():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return {"errors": {"body": "Send a JSON object."}}, 400
    errors = validate_signup(data)
    if errors:
        return {"errors": errors}, 422
    # Build the answer from the validated fields only: never echo the password
    # or fields the client made up.
    return {"username": data["username"], "email": data["email"], "age": data["age"]}, 201
