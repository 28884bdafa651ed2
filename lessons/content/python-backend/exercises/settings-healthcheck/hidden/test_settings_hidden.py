import pytest

import app as app_module

SECRET_URL = "postgresql://shop:hunter2-Xq9@db.internal:5432/shop"
# check_database cannot reach this one: it raises an error whose message holds the URL.
UNREACHABLE_URL = "mysql://shop:hunter2-Xq9@db.internal:3306/shop"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_debug_parsing_edge_cases(raw, expected):
    app = app_module.create_app({"DATABASE_URL": "sqlite:///shop.db", "DEBUG": raw})
    assert app.config["DEBUG"] is expected


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("DEBUG", "maybe"),
        ("DEBUG", "2"),
        ("PORT", "eighty"),
        ("PORT", "80.5"),
        ("PORT", "0"),
        ("PORT", "70000"),
        ("DATABASE_URL", ""),
    ],
)
def test_bad_values_fail_loudly_with_their_name(name, raw):
    environ = {"DATABASE_URL": "sqlite:///shop.db", name: raw}
    with pytest.raises(app_module.ConfigError) as raised:
        app_module.create_app(environ)
    assert name in str(raised.value)


def test_readyz_is_503_when_database_is_down():
    response = app_module.create_app({"DATABASE_URL": UNREACHABLE_URL}).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "error"}}


def test_healthz_does_not_depend_on_the_database(monkeypatch):
    calls = []
    monkeypatch.setattr(app_module, "check_database", calls.append)
    response = (
        app_module.create_app({"DATABASE_URL": UNREACHABLE_URL}).test_client().get("/healthz")
    )
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert calls == []


def test_health_endpoints_never_reveal_the_database_url(monkeypatch):
    bodies = []
    # Unreachable: the real check_database raises, with the URL in its message.
    client = app_module.create_app({"DATABASE_URL": UNREACHABLE_URL}).test_client()
    bodies += [client.get(path).get_data(as_text=True) for path in ("/healthz", "/readyz")]
    # Reachable: a fake check that succeeds.
    monkeypatch.setattr(app_module, "check_database", lambda url: None)
    client = app_module.create_app({"DATABASE_URL": SECRET_URL}).test_client()
    bodies += [client.get(path).get_data(as_text=True) for path in ("/healthz", "/readyz")]
    for body in bodies:
        assert "hunter2" not in body
        assert "db.internal" not in body
