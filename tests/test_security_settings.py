"""Production settings and the security headers every page carries."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client


def run_unconfigured(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`command` in the project with none of the DJANGO_ variables but `env`,
    as on a machine where nobody exported anything."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        list(command),
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    return run_unconfigured(
        sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", **env
    )


def test_check_deploy_passes_with_production_settings() -> None:
    finished = check_deploy(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="lectern.example.org",
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr


def test_production_needs_a_secret_key() -> None:
    finished = check_deploy(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="0")
    assert finished.returncode != 0
    assert "DJANGO_SECRET_KEY" in finished.stderr


@pytest.mark.parametrize("module", ["config.asgi", "config.celery"])
def test_a_serving_process_without_a_secret_key_refuses_to_start(module: str) -> None:
    """Daphne and Celery load these modules; neither goes through manage.py."""
    finished = run_unconfigured(
        sys.executable,
        "-c",
        f"import {module}, django.conf; django.conf.settings.SECRET_KEY",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    assert finished.returncode != 0
    assert "Set the environment variable DJANGO_SECRET_KEY" in finished.stderr


def test_commands_run_by_hand_need_no_variables() -> None:
    """The README's `manage.py lint_lessons` (like `grade` and `load_lessons`)
    works in a checkout with nothing exported, as `make run` does."""
    finished = run_unconfigured(sys.executable, "manage.py", "lint_lessons")
    assert finished.returncode == 0, finished.stdout + finished.stderr


def test_check_deploy_without_a_key_still_fails() -> None:
    """The development key a bare manage.py falls back to never passes a deploy check."""
    finished = check_deploy()
    assert finished.returncode != 0


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_scripts() -> None:
    response = Client().get("/")
    policy = response.headers["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_templates_hold_no_inline_scripts_or_handlers() -> None:
    inline_script = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")\b)[^>]*>")
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        assert not inline_script.search(text), template
        assert not handler.search(text), template
