# The grader serves your `app` with a real web server, and `client` talks to it
# over HTTP: that is how the platform's probes reach /healthz and /readyz.
#
# The proxy tests play nginx: they send each request with the X-Forwarded-*
# headers nginx adds for one client. The proxy runs on the same machine as the
# app, so the connections your app sees come from PROXY.
import re

import app

PROXY = "127.0.0.1"  # where the proxy's connections come from
UPSTREAM = "http://testserver"  # where the proxy sends requests on (its proxy_pass)
CLIENT = "203.0.113.7"  # the client's address, as the proxy saw it


def one_hop(client_ip=CLIENT, proto="https", host="shop.example"):
    """The X-Forwarded-* headers the proxy writes for a client that sent none."""
    return {"X-Forwarded-For": client_ip, "X-Forwarded-Proto": proto, "X-Forwarded-Host": host}


def test_healthz_answers_ok_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers.get("content-type", "").startswith("application/json"), (
        "/healthz should answer with JSON"
    )
    assert response.json() == {"status": "ok"}
    cache_control = response.headers.get("cache-control", "")
    assert "no-store" in cache_control, (
        f"a health answer must not be cached (send Cache-Control: no-store), got {cache_control!r}"
    )
    assert "max-age" not in cache_control and "public" not in cache_control, cache_control


def test_readyz_answers_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200, (
        f"GET /readyz with a working database answered {response.status_code}: "
        f"{response.text[:200]!r}"
    )
    assert response.json().get("status") == "ready", response.text[:200]
    cache_control = response.headers.get("cache-control", "")
    assert "no-store" in cache_control, (
        f"a health answer must not be cached (send Cache-Control: no-store), got {cache_control!r}"
    )


def test_the_logged_client_ip_is_the_one_the_proxy_saw(client):
    client.get("/healthz", headers=one_hop())
    logged = app.ACCESS_LOG[-1]["ip"]
    assert logged == CLIENT, (
        f"the proxy at {PROXY} says the client is {CLIENT} (X-Forwarded-For: {CLIENT}), "
        f"but the access log recorded {logged!r}"
    )


def test_links_use_the_scheme_and_host_the_client_used(client):
    response = client.post("/products", headers=one_hop(), json={"name": "Desk lamp"})
    assert response.status_code == 201, response.text[:200]
    location = response.headers.get("Location")
    product_id = response.json()["id"]
    expected = f"https://shop.example/products/{product_id}"
    assert location == expected, (
        f"the client asked for https://shop.example, so the new product is at {expected}; "
        f"the Location header said {location!r}"
    )
    assert response.json()["url"] == expected
    assert re.fullmatch(r"https://shop\.example/products/\d+", location)
    fetched = client.get(f"/products/{product_id}", headers=one_hop())
    assert fetched.json().get("url") == expected, fetched.text[:200]
