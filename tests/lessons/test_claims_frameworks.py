"""Claims of the framework lessons (02-frameworks), run for real: the single-module
Django settings of 02-04 must refuse a foreign Host with 400 (ALLOWED_HOSTS is only
enforced when something asks for the host, so the middleware that does must be
there), its read-only views must answer HEAD as well as GET, and its paths
without a slash must not be redirected. Also: the Django view of 02-05, the
graded questions that replaced 02-05's reveal boxes, and the mutation-testing
hints, which must leave the tests to the learner.

Django's settings can be configured once per process, and this process runs
Lectern's, so the lesson's module runs in a Python process of its own."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import django
import yaml
from django.conf import global_settings
from flask import Flask

from tests.support.lesson_code import code_block, code_blocks, course_file, lesson_text

DJANGO = "02-frameworks/04-django.md"
CHOOSING = "02-frameworks/05-choosing-a-framework.md"
MUTATION_TESTING = "exercises/mutation-testing/exercise.md"

# Sends each request of REQUESTS through the whole Django stack (app.py, the
# lesson's module, is imported first) and prints what came back.
CLIENT_SCRIPT = """\
import json
import sys

import app  # noqa: F401  (importing the module configures Django)
from django.test import Client

results = []
for method, path, host in json.loads(sys.argv[1]):
    headers = {"host": host} if host else {}
    response = getattr(Client(), method)(path, headers=headers)
    results.append({
        "status": response.status_code,
        "allow": response.headers.get("Allow"),
        "location": response.headers.get("Location"),
        "nosniff": response.headers.get("X-Content-Type-Options"),
    })
print(json.dumps(results))
"""


def settings_code() -> str:
    return code_block(DJANGO, containing="settings.configure(")


def views_code() -> str:
    return code_block(DJANGO, containing="def country_detail")


def django_answers(
    tmp_path: Path, module: str, requests: list[tuple[str, str, str | None]]
) -> list[dict[str, Any]]:
    """What `module`, run as app.py in a fresh process, answers to each
    (method, path, Host header or None for the test client's "testserver")."""
    (tmp_path / "app.py").write_text(module, encoding="utf-8")
    (tmp_path / "client.py").write_text(CLIENT_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "client.py", json.dumps(requests)],
        cwd=tmp_path,
        # Not DJANGO_SETTINGS_MODULE: the module configures Django itself.
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def lesson_module(settings: str | None = None, views: str | None = None) -> str:
    """The lesson's settings block followed by its views block: the single module
    the lesson builds."""
    return (settings or settings_code()) + "\n" + (views or views_code())


def without_middleware(settings: str) -> str:
    stripped = re.sub(r"\n    MIDDLEWARE=\[.*?\n    \],", "", settings, flags=re.S)
    assert "MIDDLEWARE" not in stripped
    return stripped


# --- 02-04: ALLOWED_HOSTS and the middleware that enforces it ------------------------------


def test_the_lessons_settings_refuse_a_foreign_host_with_400(tmp_path: Path) -> None:
    good, evil, listed = django_answers(
        tmp_path,
        lesson_module(),
        [
            ("get", "/countries/nz", None),
            ("get", "/countries/nz", "evil.example"),
            ("get", "/countries/nz", "localhost"),
        ],
    )
    assert good["status"] == 200
    assert evil["status"] == 400
    assert listed["status"] == 200
    # SecurityMiddleware's header, as the settings table says.
    assert good["nosniff"] == "nosniff"


def test_without_middleware_allowed_hosts_is_not_enforced(tmp_path: Path) -> None:
    """The lesson's claim that ALLOWED_HOSTS alone protects nothing: a view that
    never asks for the host answers any Host, which is how the django-products
    exercise passed a foreign Host before its settings had the middleware."""
    assert "django.middleware.common.CommonMiddleware" in settings_code()
    [evil] = django_answers(
        tmp_path,
        lesson_module(without_middleware(settings_code())),
        [("get", "/countries/nz", "evil.example")],
    )
    assert evil["status"] == 200
    text = lesson_text(DJANGO)
    assert "`settings.configure()` starts with none" in text
    assert global_settings.MIDDLEWARE == []


def test_startproject_lists_both_middleware_classes() -> None:
    template = (
        Path(django.__file__).parent / "conf" / "project_template" / "project_name"
    ) / "settings.py-tpl"
    source = template.read_text(encoding="utf-8")
    assert "django.middleware.security.SecurityMiddleware" in source
    assert "django.middleware.common.CommonMiddleware" in source


def test_paths_without_a_slash_are_not_redirected(tmp_path: Path) -> None:
    """APPEND_SLASH=False: a path that matches nothing stays a 404."""
    [with_slash, unknown] = django_answers(
        tmp_path,
        lesson_module(),
        [("get", "/countries/nz/", None), ("get", "/countries", None)],
    )
    assert with_slash["status"] == 404
    assert unknown["status"] == 404


def test_append_slash_redirects_to_the_pattern_with_a_slash(tmp_path: Path) -> None:
    """What the lesson says CommonMiddleware does by default."""
    settings = settings_code()
    assert "APPEND_SLASH=False" in settings
    default = re.sub(r"\n    APPEND_SLASH=False,[^\n]*", "", settings)
    views = views_code().replace('"countries/<str:code>"', '"countries/<str:code>/"')
    [redirected] = django_answers(
        tmp_path, lesson_module(default, views), [("get", "/countries/nz", None)]
    )
    assert redirected["status"] == 301
    assert redirected["location"] == "/countries/nz/"


# --- 02-04 and 02-05: require_safe answers HEAD, require_GET does not ----------------------


def test_require_safe_answers_get_and_head_and_refuses_the_rest(tmp_path: Path) -> None:
    assert "@require_safe" in views_code()
    get, head, post, delete = django_answers(
        tmp_path,
        lesson_module(),
        [(method, "/countries/nz", None) for method in ("get", "head", "post", "delete")],
    )
    assert get["status"] == head["status"] == 200
    assert post["status"] == delete["status"] == 405
    assert post["allow"] == "GET, HEAD"


def test_require_get_refuses_head(tmp_path: Path) -> None:
    """Why the lessons use require_safe: require_GET answers HEAD with 405."""
    views = views_code().replace("require_safe", "require_GET")
    [head] = django_answers(tmp_path, lesson_module(views=views), [("head", "/countries/nz", None)])
    assert head["status"] == 405
    assert head["allow"] == "GET"


def test_flask_answers_head_on_a_get_route() -> None:
    app = Flask(__name__)

    @app.get("/countries")
    def countries() -> dict[str, str]:
        return {"NZ": "New Zealand"}

    response = app.test_client().head("/countries")
    assert response.status_code == 200
    assert response.data == b""


def test_the_django_view_of_choosing_a_framework_answers_head(tmp_path: Path) -> None:
    comparison = code_block(CHOOSING, containing="# Django:")
    django_part = comparison[comparison.index("# Django:") :]
    module = (
        settings_code()
        + "from django.http import JsonResponse\n"
        + "from django.urls import path\n"
        + "from django.views.decorators.http import require_safe\n\n"
        + 'PRODUCTS = [{"id": 1, "name": "Laptop", "price": 999.99}]\n\n'
        + django_part
    )
    get, head, post = django_answers(
        tmp_path, module, [(method, "/products", None) for method in ("get", "head", "post")]
    )
    assert get["status"] == head["status"] == 200
    assert post["status"] == 405


def test_no_framework_lesson_uses_require_get_as_its_decorator() -> None:
    for lesson in (DJANGO, CHOOSING):
        for code in code_blocks(lesson):
            assert "@require_GET" not in code, lesson


# --- 02-05: graded questions ---------------------------------------------------------------


def test_choosing_a_framework_has_graded_questions_and_no_reveal_boxes() -> None:
    text = lesson_text(CHOOSING)
    assert "??? question" not in text
    questions = [yaml.safe_load(code) for code in code_blocks(CHOOSING, language="question")]
    assert len(questions) == 4
    assert len({question["id"] for question in questions}) == 4
    for question in questions:
        assert any(choice.get("correct") for choice in question["choices"])
        assert all(choice.get("feedback") for choice in question["choices"])


# --- mutation-testing: the last hint is a nudge, not the answer ----------------------------


def test_mutation_testing_hints_hold_no_test_code() -> None:
    text = course_file(MUTATION_TESTING).read_text(encoding="utf-8")
    front_matter = yaml.safe_load(text.split("---\n")[1])
    hints = front_matter["hints"]
    assert len(hints) >= 3
    for hint in hints:
        # A call of the module's functions with values, an expected result or an
        # assertion would be a test to copy.
        assert not re.search(r"(discount_price|order_total)\s*\(", hint), hint
        assert "==" not in hint, hint
        assert "pytest.raises(" not in hint, hint
        assert not re.search(r"\b(3000|4800|5000)\b", hint), hint
