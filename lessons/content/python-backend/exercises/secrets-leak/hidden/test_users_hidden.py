import ast

import pytest

import app as app_module

PRIVATE_KEYS = {"email", "password_hash", "api_token", "is_admin", "failed_logins"}
SECRET_VALUES = [
    "ada@example.com",
    "linus@example.com",
    "$argon2id$",
    "YWRhc2FsdHNhbHQ",
    "bGludXNzYWx0",
    "tok_live_",
    "4f9d1c7e2b8a6053",
    "a13e77b0c95d2f48",
    "hunter2",
    "db.internal",
    "postgresql://",
]
PATHS = [
    "/users",
    "/users/1",
    "/users/2",
    "/users/99",
    "/users/0",
    "/users/abc",
    "/users/1/",
    "/no-such-page",
]


def all_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from all_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_keys(item)


def test_no_private_keys_anywhere_in_user_json(client):
    for path in ("/users", "/users/1", "/users/2"):
        keys = set(all_keys(client.get(path).json()))
        assert not keys & PRIVATE_KEYS, path


def test_secret_values_never_appear_in_any_response(client):
    for path in PATHS:
        response = client.get(path)
        text = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for secret in SECRET_VALUES:
            assert secret not in text, path


def test_unknown_user_gets_a_plain_404(client):
    for path in ("/users/99", "/users/0", "/users/-1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "User not found"}, path


@pytest.mark.parametrize("path", ["/users", "/users/2", "/users/99", "/users/abc", "/no-such-page"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options", "").upper() == "DENY"


def reads_environment_variable(tree, name):
    """True if the code looks `name` up in the environment: os.environ.get(name, ...),
    os.environ[name], os.getenv(name, ...) and the like."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            callee, key = ast.unparse(node.func), node.args[0]
        elif isinstance(node, ast.Subscript):
            callee, key = ast.unparse(node.value), node.slice
        else:
            continue
        if (
            ("environ" in callee or "getenv" in callee)
            and isinstance(key, ast.Constant)
            and key.value == name
        ):
            return True
    return False


def learner_source():
    """app.py as the process that runs it sees it (the tests cannot open its
    folder themselves), read through the os module app.py imports."""
    learner_os = app_module.os
    fd = learner_os.open("app.py", learner_os.O_RDONLY)
    try:
        return learner_os.read(fd, 1 << 20).decode("utf-8")
    finally:
        learner_os.close(fd)


def test_database_url_comes_from_the_environment():
    source = learner_source()
    assert "hunter2" not in source and "db.internal" not in source
    assert reads_environment_variable(ast.parse(source), "DATABASE_URL")
    # The grader does not set DATABASE_URL: the server runs on the harmless fallback.
    url = app_module.DATABASE_URL
    assert isinstance(url, str) and url
    assert "hunter2" not in url and "db.internal" not in url
