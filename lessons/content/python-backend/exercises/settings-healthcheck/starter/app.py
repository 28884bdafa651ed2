import os
from collections.abc import Mapping

from flask import Flask


class ConfigError(RuntimeError):
    """The environment does not hold a usable configuration."""


def check_database(url: str) -> None:
    """Stand-in for a real connection check, such as running `SELECT 1`.

    Returns nothing when the database answers and raises an exception when
    it cannot be reached. The tests replace it with fakes.
    """
    if not url.startswith(("sqlite:", "postgresql:")):
        raise ConnectionError(f"cannot reach database at {url}")


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app from `environ`, the environment variables (os.environ if not given)."""
    if environ is None:
        environ = os.environ
    app = Flask(__name__)

    # Hard-coded settings: every environment gets the same values, and the
    # database password is now in version control.
    app.config["APP_NAME"] = "shop"
    app.config["DEBUG"] = False
    app.config["DATABASE_URL"] = "postgresql://shop:s3cret@localhost/shop"
    app.config["PORT"] = 8000

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
