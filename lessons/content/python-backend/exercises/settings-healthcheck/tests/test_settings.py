# create_app() runs in the process that runs your code; the tests give it the
# environment as a plain dict. `app_module.create_app(...)` gives back a handle
# to your Flask app, so `.config[...]` and `.test_client().get(...)` also run
# there.
import pytest

import app as app_module


def test_settings_come_from_environment():
    config = app_module.create_app(
        {
            "APP_NAME": "catalog",
            "DEBUG": "true",
            "DATABASE_URL": "sqlite:///catalog.db",
            "PORT": "9000",
        }
    ).config

    assert config["APP_NAME"] == "catalog"
    assert config["DEBUG"] is True, "DEBUG=true should become the boolean True"
    assert config["DATABASE_URL"] == "sqlite:///catalog.db"
    assert config["PORT"] == 9000, "PORT=9000 should become the integer 9000"


def test_defaults_when_optional_settings_are_unset():
    config = app_module.create_app({"DATABASE_URL": "sqlite:///shop.db"}).config

    assert config["APP_NAME"] == "shop"
    assert config["DEBUG"] is False
    assert config["PORT"] == 8000
    assert config["DATABASE_URL"] == "sqlite:///shop.db"


def test_missing_database_url_is_an_error():
    with pytest.raises(app_module.ConfigError) as raised:
        app_module.create_app({})
    assert "DATABASE_URL" in str(raised.value), "the error should name the missing variable"


def test_readyz_checks_the_database(monkeypatch):
    checked = []
    monkeypatch.setattr(app_module, "check_database", checked.append)

    app = app_module.create_app({"DATABASE_URL": "postgresql://shop@db/shop"})
    response = app.test_client().get("/readyz")

    assert response.status_code == 200, (
        f"GET /readyz returned {response.status_code}: {response.get_data(as_text=True)[:200]!r}"
    )
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}
    assert checked == ["postgresql://shop@db/shop"], "check_database should get DATABASE_URL"
