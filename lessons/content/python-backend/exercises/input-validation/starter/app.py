"""Sign-up endpoint: validates the JSON body before anything is stored."""

from flask import Flask, request

app = Flask(__name__)


def validate_signup(data: dict) -> dict[str, str]:
    """Return {field: error message} for every invalid field; {} if all is well."""
    errors = {}
    if len(data["username"]) < 3:
        errors["username"] = "Username is too short."
    if "@" not in data["email"]:
        errors["email"] = "Email address is not valid."
    age = int(data["age"])
    if age < 0 or age > 120:
        errors["age"] = "Age is out of range."
    if len(data["password"]) < 8:
        errors["password"] = "Password is too short."
    return errors


@app.post("/signup")
def signup():
    data = request.get_json()
    errors = validate_signup(data)
    if errors:
        return {"errors": errors}, 400
    return data, 201
