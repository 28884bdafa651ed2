import app  # noqa: F401
from django.conf import settings
from django.test import Client


def test_products_content_type_is_json():
    assert Client().get("/products")["Content-Type"] == "application/json"


def test_endpoints_only_answer_get():
    client = Client()
    for path in ("/hello", "/products"):
        assert client.post(path, {"name": "Mouse"}).status_code == 405
        assert client.delete(path).status_code == 405


def test_unknown_path_is_404():
    client = Client()
    assert client.get("/product").status_code == 404
    assert client.get("/products/1/extra").status_code == 404


def test_settings_are_safe_for_a_server():
    assert settings.DEBUG is False
    assert "testserver" in settings.ALLOWED_HOSTS
    assert "*" not in settings.ALLOWED_HOSTS
