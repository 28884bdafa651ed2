import app


def test_other_requests_are_404_json(client):
    for method, path in [("GET", "/hello"), ("GET", "/index.html"), ("POST", "/"), ("DELETE", "/")]:
        response = client.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"].startswith("application/json"), (method, path)
        assert response.json() == {"detail": "Not Found"}, (method, path)


def test_query_string_does_not_change_the_route(client):
    response = client.get("/", params={"utm_source": "newsletter"})
    assert response.status_code == 200
    assert response.json() == {"message": "Hello, World!"}


def test_headers_are_byte_pairs_with_correct_length(client):
    # Uvicorn answers 500 (or breaks the connection) when a header is not a
    # pair of bytes, or when the body does not match content-length.
    response = client.get("/")
    assert response.status_code == 200
    for name, _value in response.headers.raw:
        assert name == name.lower(), name
    assert response.headers["content-length"] == str(len(response.content))


def test_lifespan_startup_and_shutdown(client):
    # The server sent lifespan.startup before the first request, and kept
    # serving: only the start-up half of the conversation can be seen while
    # the server runs.
    assert client.get("/").status_code == 200
    assert app.started is True
