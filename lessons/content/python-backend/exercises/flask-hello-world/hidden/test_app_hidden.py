from app import app


def test_hello_content_type_is_json():
    response = app.test_client().get("/hello")
    assert response.content_type.startswith("application/json")


def test_post_hello_is_not_allowed():
    response = app.test_client().post("/hello")
    assert response.status_code == 405


def test_unknown_path_is_404():
    response = app.test_client().get("/hello/extra")
    assert response.status_code == 404
