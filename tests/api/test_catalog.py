"""Courses and exercises through the API; the OpenAPI document and its docs page."""

import pytest
from django.test import Client

from lessons.models import Exercise
from tests.api.conftest import ApiClient
from tests.conftest import exercise_files

pytestmark = pytest.mark.django_db


def test_courses_and_exercises_are_listed(api: ApiClient, flask_exercise: Exercise) -> None:
    # Every exercise the course's lessons offer, as loaded.
    offered = Exercise.objects.filter(course__slug="python-backend", lesson__isnull=False)
    courses = api.get("/api/v1/courses").json()
    assert [course["slug"] for course in courses] == ["python-backend"]
    assert courses[0]["exercise_count"] == offered.count() >= 18

    exercises = api.get("/api/v1/exercises?course=python-backend").json()
    assert sorted(item["slug"] for item in exercises) == sorted(e.slug for e in offered)
    flask = next(item for item in exercises if item["slug"] == "flask-hello-world")
    assert flask["accepted_files"] == ["app.py"]
    assert flask["max_score"] == flask_exercise.max_score

    unknown = api.get("/api/v1/exercises?course=nope")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_course"


def test_an_exercise_has_its_starter_visible_tests_and_limits_never_hidden_tests_or_solution(
    api: ApiClient, flask_exercise: Exercise
) -> None:
    response = api.get("/api/v1/exercises/flask-hello-world")

    assert response.status_code == 200
    exercise = response.json()
    assert exercise["starter_files"] == exercise_files("starter")
    assert exercise["visible_tests"] == exercise_files("tests")
    visible = [t for t in flask_exercise.tests if t["visibility"] == "visible"]
    hidden = [t for t in flask_exercise.tests if t["visibility"] == "hidden"]
    assert [t["name"] for t in exercise["tests"]] == [t["name"] for t in visible]
    assert exercise["hidden_tests"] == {
        "count": len(hidden),
        "max_points": float(sum(t["points"] for t in hidden)),
    }
    assert exercise["limits"]["wall_seconds"] == 10
    assert exercise["hint_count"] == len(flask_exercise.hints)
    text = response.content.decode()
    for secret in [*exercise_files("hidden").values(), *exercise_files("solution").values()]:
        assert secret.strip() not in text
    for test in hidden:
        assert test["name"] not in text


def test_an_unknown_exercise_is_a_json_404(api: ApiClient, flask_exercise: Exercise) -> None:
    response = api.get("/api/v1/exercises/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_exercise"


def test_unknown_paths_and_methods_answer_json(api: ApiClient) -> None:
    missing = api.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"

    wrong = api.client.delete("/api/v1/courses", headers=api.headers)
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"
    assert wrong["Allow"] == "GET"


def test_the_openapi_document_and_the_docs_page_need_no_token() -> None:
    document = Client().get("/api/v1/openapi.json")
    assert document.status_code == 200
    schema = document.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/submissions" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"

    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    # Runs under the site's policy: no inline script, nothing from another host.
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    assert "<script>" not in page.replace('<script type="application/json"', "")
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200
