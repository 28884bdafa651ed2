import pytest

import app as app_module

SETTINGS = ("APP_NAME", "DEBUG", "DATABASE_URL", "PORT")


@pytest.fixture
def env(monkeypatch):
    """Start every test from an environment without any of the app's settings."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_settings_come_from_environment(env):
    env.setenv("APP_NAME", "catalog")
    env.setenv("DEBUG", "true")
    env.setenv("DATABASE_URL", "sqlite:///catalog.db")
    env.setenv("PORT", "9000")

    config = app_module.create_app().config

    assert config["APP_NAME"] == "catalog"
    assert config["DEBUG"] is True, "DEBUG=true should become the boolean True"
    assert config["DATABASE_URL"] == "sqlite:///catalog.db"
    assert config["PORT"] == 9000, "PORT=9000 should become the integer 9000"


def test_defaults_when_optional_settings_are_unset(env):
    env.setenv("DATABASE_URL", "sqlite:///shop.db")

    config = app_module.create_app().config

    assert config["APP_NAME"] == "shop"
    assert config["DEBUG"] is False
    assert config["PORT"] == 8000
    assert config["DATABASE_URL"] == "sqlite:///shop.db"


def test_missing_database_url_is_an_error(env):
    with pytest.raises(app_module.ConfigError) as raised:
        app_module.create_app()
    assert "DATABASE_URL" in str(raised.value), "the error should name the missing variable"


def test_readyz_checks_the_database(env):
    env.setenv("DATABASE_URL", "postgresql://shop@db/shop")
    checked = []
    env.setattr(app_module, "check_database", checked.append)

    response = app_module.create_app().test_client().get("/readyz")

    assert response.status_code == 200, f"GET /readyz returned {response.status_code}"
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}
    assert checked == ["postgresql://shop@db/shop"], "check_database should get DATABASE_URL"
