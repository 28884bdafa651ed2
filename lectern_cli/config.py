"""Where `lectern login` keeps the server's URL and the token: a JSON file only
its owner can read ($XDG_CONFIG_HOME/lectern/config.json, ~/.config/... by default).
LECTERN_URL and LECTERN_TOKEN in the environment (CI) take precedence."""

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Config:
    url: str
    token: str


API_PATH = "/api/v1"


def site_url(url: str) -> str:
    """The site's address, also when given the API's (…/api/v1, as the API's own
    documents and the docs show it): every request adds /api/v1/ itself."""
    return url.strip().rstrip("/").removesuffix(API_PATH).rstrip("/")


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "lectern" / "config.json"


def config_load() -> Config | None:
    url = os.environ.get("LECTERN_URL", "")
    token = os.environ.get("LECTERN_TOKEN", "")
    if not (url and token):
        try:
            stored = json.loads(config_path().read_text())
        except (OSError, ValueError):
            stored = {}
        if not isinstance(stored, dict):
            stored = {}
        url = url or str(stored.get("url", ""))
        token = token or str(stored.get("token", ""))
    if not (url and token):
        return None
    return Config(url=site_url(url), token=token)


def config_save(config: Config) -> Path:
    """Write the file with mode 0600 (its folder 0700): the token is a password."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = json.dumps({"url": config.url, "token": config.token}, indent=2) + "\n"
    # Created 0600 from the start, so the token is never readable by others, even briefly.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.chmod(path, 0o600)
    return path
