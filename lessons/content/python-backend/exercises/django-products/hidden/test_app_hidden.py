# Django's settings object of the process that serves app.py; reading one of
# its attributes asks that process.
from app import settings


def test_products_content_type_is_json(client):
    assert client.get("/products").headers.get("content-type") == "application/json"


def test_endpoints_answer_only_get_and_head(client):
    for path in ("/hello", "/products"):
        # HEAD is GET without the body: whatever answers GET should answer it too.
        head = client.head(path)
        assert (head.status_code, head.content) == (200, b""), path
        assert client.post(path, data={"name": "Mouse"}).status_code == 405, path
        assert client.put(path, json={"name": "Mouse"}).status_code == 405, path
        assert client.delete(path).status_code == 405, path


def test_unknown_path_is_404(client):
    assert client.get("/product").status_code == 404
    assert client.get("/products/1/extra").status_code == 404
    assert client.get("/products/").status_code == 404


def test_settings_are_safe_for_a_server(client):
    assert settings.DEBUG is False
    assert "testserver" in settings.ALLOWED_HOSTS
    assert "*" not in settings.ALLOWED_HOSTS
    # The setting only protects if it is enforced: a request for another site's
    # name must be refused with 400 Bad Request, not answered.
    assert client.get("/hello", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/hello").status_code == 200
