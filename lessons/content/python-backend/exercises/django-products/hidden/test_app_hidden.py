# Django's settings object of the process that serves app.py; reading one of
# its attributes asks that process.
from app import settings


def test_products_content_type_is_json(client):
    assert client.get("/products").headers.get("content-type") == "application/json"


def test_endpoints_only_answer_get(client):
    for path in ("/hello", "/products"):
        assert client.post(path, data={"name": "Mouse"}).status_code == 405, path
        assert client.delete(path).status_code == 405, path


def test_unknown_path_is_404(client):
    assert client.get("/product").status_code == 404
    assert client.get("/products/1/extra").status_code == 404


def test_settings_are_safe_for_a_server():
    assert settings.DEBUG is False
    assert "testserver" in settings.ALLOWED_HOSTS
    assert "*" not in settings.ALLOWED_HOSTS
