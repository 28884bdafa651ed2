import os
from collections.abc import Mapping

from flask import Flask

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """The environment does not hold a usable configuration."""


def check_database(url: str) -> None:
    """Stand-in for a real connection check, such as running `SELECT 1`.

    Returns nothing when the database answers and raises an exception when
    it cannot be reached. The tests replace it with fakes.
    """
    if not url.startswith(("sqlite:", "postgresql:")):
        raise ConnectionError(f"cannot reach database at {url}")


def env_str(environ: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = environ.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise ConfigError(f"{name} is required but not set")
    return default


def env_bool(environ: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be one of 1/true/yes/on or 0/false/no/off, not {raw!r}")


def env_port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not 1 <= port <= 65535:
        raise ConfigError(f"{name} must be between 1 and 65535, not {port}")
    return port


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app from `environ`, the environment variables (os.environ if not given)."""
    if environ is None:
        environ = os.environ
    app = Flask(__name__)
    app.config["APP_NAME"] = env_str(environ, "APP_NAME", "shop")
    app.config["DEBUG"] = env_bool(environ, "DEBUG", False)
    app.config["DATABASE_URL"] = env_str(environ, "DATABASE_URL")
    app.config["PORT"] = env_port(environ, "PORT", 8000)

    @app.get("/healthz")
    def healthz():
        # Liveness: the process is up and serving. No dependencies checked.
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        # Readiness: can this instance do useful work right now?
        try:
            check_database(app.config["DATABASE_URL"])
        except Exception as error:
            # The error message may contain the connection URL, password
            # included: log only its type, and never put it in the response.
            app.logger.warning("readiness check failed: database (%s)", type(error).__name__)
            return {"status": "unavailable", "checks": {"database": "error"}}, 503
        return {"status": "ready", "checks": {"database": "ok"}}

    return app
