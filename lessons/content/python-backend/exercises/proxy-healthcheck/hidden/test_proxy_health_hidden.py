from pathlib import Path

import app
import httpx

PROXY = "127.0.0.1"  # the proxy runs on the app's machine
UPSTREAM = "http://testserver"


def created_at(client, headers):
    response = client.post("/products", headers=headers, json={"name": "Bookshelf"})
    assert response.status_code == 201, response.text[:200]
    return response.json()["id"], response.headers.get("Location")


def broken_databases():
    here = Path(app.DATABASE_PATH)
    return [
        "/nonexistent-folder/shop.sqlite3",  # cannot be opened at all
        "/etc/passwd",  # a file, but not a database
        str(here.with_name("not-created-yet.sqlite3")),  # no such file (yet)
    ]


def test_a_forwarded_for_hop_written_by_the_client_is_not_trusted(client):
    for forwarded_for, client_ip in [
        ("6.6.6.6, 203.0.113.7", "203.0.113.7"),
        ("127.0.0.1, 10.9.8.7, 198.51.100.4", "198.51.100.4"),
    ]:
        headers = {
            "X-Forwarded-For": forwarded_for,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "shop.example",
        }
        client.get("/healthz", headers=headers)
        assert app.ACCESS_LOG[-1]["ip"] == client_ip


def test_a_forwarded_host_sent_by_the_client_is_not_trusted(client):
    headers = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example, shop.example",
    }
    product_id, location = created_at(client, headers)
    assert location == f"https://shop.example/products/{product_id}"


def test_plain_http_and_direct_requests_are_left_as_they_are(client, client_options):
    headers = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "http",
        "X-Forwarded-Host": "shop.example",
    }
    product_id, location = created_at(client, headers)
    assert location == f"http://shop.example/products/{product_id}"
    # A request that did not come through the proxy, on a connection of its own.
    with httpx.Client(**client_options) as direct:
        product_id, location = created_at(direct, {})
    assert location == f"{UPSTREAM}/products/{product_id}"
    assert app.ACCESS_LOG[-1]["ip"] == PROXY


def test_readyz_is_503_when_the_database_is_broken(client, monkeypatch):
    for broken in broken_databases():
        monkeypatch.setattr(app, "DATABASE_PATH", broken)
        response = client.get("/readyz")
        assert response.status_code == 503, broken
        body = response.json()
        assert body.get("status") == "unavailable", broken
        assert "database" in str(body.get("reason", "")).lower(), broken
        assert "no-store" in response.headers.get("cache-control", "")
        assert broken not in response.text and "passwd" not in response.text


def test_readyz_recovers_when_the_database_is_back(client, monkeypatch):
    working = app.DATABASE_PATH
    monkeypatch.setattr(app, "DATABASE_PATH", "/nonexistent-folder/shop.sqlite3")
    assert client.get("/readyz").status_code == 503
    monkeypatch.setattr(app, "DATABASE_PATH", working)
    assert client.get("/readyz").status_code == 200


def test_healthz_stays_up_when_the_database_is_broken(client, monkeypatch):
    for broken in broken_databases():
        monkeypatch.setattr(app, "DATABASE_PATH", broken)
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
