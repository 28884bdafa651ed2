import pytest

import app as app_module

SETTINGS = ("APP_NAME", "DEBUG", "DATABASE_URL", "PORT")
SECRET_URL = "postgresql://shop:hunter2-Xq9@db.internal:5432/shop"


@pytest.fixture
def env(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///shop.db")
    return monkeypatch


def failing_check(url):
    raise ConnectionError(f"could not connect to {url}: connection refused")


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
def test_debug_parsing_edge_cases(env, raw, expected):
    env.setenv("DEBUG", raw)
    assert app_module.create_app().config["DEBUG"] is expected


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
def test_bad_values_fail_loudly_with_their_name(env, name, raw):
    env.setenv(name, raw)
    with pytest.raises(app_module.ConfigError) as raised:
        app_module.create_app()
    assert name in str(raised.value)


def test_readyz_is_503_when_database_is_down(env):
    env.setattr(app_module, "check_database", failing_check)
    response = app_module.create_app().test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "error"}}


def test_healthz_does_not_depend_on_the_database(env):
    calls = []

    def counting_failing_check(url):
        calls.append(url)
        failing_check(url)

    env.setattr(app_module, "check_database", counting_failing_check)
    response = app_module.create_app().test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert calls == []


def test_health_endpoints_never_reveal_the_database_url(env):
    env.setenv("DATABASE_URL", SECRET_URL)
    client = app_module.create_app().test_client()
    bodies = []
    for check in (lambda url: None, failing_check):
        env.setattr(app_module, "check_database", check)
        for path in ("/healthz", "/readyz"):
            bodies.append(client.get(path).get_data(as_text=True))
    for body in bodies:
        assert "hunter2" not in body
        assert "db.internal" not in body
