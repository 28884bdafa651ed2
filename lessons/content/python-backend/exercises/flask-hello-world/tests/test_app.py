from app import app


def test_hello_returns_200():
    response = app.test_client().get("/hello")
    assert response.status_code == 200, f"GET /hello returned {response.status_code}, not 200"


def test_hello_returns_json_message():
    response = app.test_client().get("/hello")
    assert response.get_json(silent=True) == {"message": "Hello, World!"}
