def test_hello_content_type_is_json(client):
    response = client.get("/hello")
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers


def test_post_hello_is_not_allowed(client):
    response = client.post("/hello")
    assert response.status_code == 405, response.status_code


def test_unknown_path_is_404(client):
    response = client.get("/hello/extra")
    assert response.status_code == 404, response.status_code
