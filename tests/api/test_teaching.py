"""An instructor's endpoints (api/teaching.py): the classes they teach, one
with its learners, its gradebook and its learners' submissions; nothing of a
class to anyone who does not teach it."""

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok

from accounts.models import ApiToken
from accounts.services import api_token_create
from classes.services import deadline_set, score_override_set
from config.asgi import application
from grader.models import Submission
from grader.services import grade_submission, submission_create
from teaching.gradebook import gradebook_get
from tests.api.conftest import ApiClient
from tests.support.classes import ClassWorld

FULL = {"calc.py": "def add(a, b):\n    return a + b\n"}
NO_NEGATIVES = {"calc.py": "def add(a, b):\n    return abs(a) + abs(b)\n"}
OPERATIONS = {
    "GET /api/v1/classes",
    "GET /api/v1/classes/{classroom_id}",
    "GET /api/v1/classes/{classroom_id}/gradebook",
    "GET /api/v1/classes/{classroom_id}/submissions",
}


def api_as(user: User, *, scoped: bool = False) -> ApiClient:
    scopes = [ApiToken.Scope.SUBMIT_FOR_LEARNERS] if scoped else []
    return ApiClient(api_token_create(user=user, name="laptop", scopes=scopes))


def class_paths(world: ClassWorld) -> list[str]:
    base = f"/api/v1/classes/{world.classroom.pk}"
    return [base, f"{base}/gradebook", f"{base}/submissions"]


@pytest.mark.django_db
def test_an_instructor_lists_the_classes_they_teach(class_world: ClassWorld) -> None:
    world = class_world

    mine = api_as(world.class_instructor).get("/api/v1/classes")

    assert mine.status_code == 200
    by_name = {item["name"]: item for item in mine.json()}
    assert set(by_name) == {"Autumn group", "Evening group"}
    autumn = by_name["Autumn group"]
    assert autumn["id"] == world.classroom.pk
    assert (autumn["course"], autumn["learner_count"], autumn["joining_open"]) == ("demo", 1, True)
    assert autumn["url"] == f"http://testserver/teach/classes/{world.classroom.pk}/"
    otto = api_as(world.other_instructor).get("/api/v1/classes").json()
    assert [item["name"] for item in otto] == ["Otto's group"]
    assert api_as(world.class_learner).get("/api/v1/classes").json() == []


@pytest.mark.django_db
def test_a_class_with_its_learners(class_world: ClassWorld) -> None:
    world = class_world

    response = api_as(world.class_instructor).get(f"/api/v1/classes/{world.classroom.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["instructors"] == ["ines"]
    assert [learner["username"] for learner in body["learners"]] == ["lea"]
    assert body["learners"][0]["email"] == "lea@example.com"
    assert body["learner_count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_instructor", "class_learner", "other_learner"])
def test_a_class_is_not_found_by_anyone_who_does_not_teach_it(
    class_world: ClassWorld, who: str
) -> None:
    client = api_as(class_world.users[who])
    for path in class_paths(class_world):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "class_not_found"
        assert "lea" not in response.text
    unknown = api_as(class_world.class_instructor).get("/api/v1/classes/999999")
    assert unknown.json()["error"]["code"] == "class_not_found"


@pytest.mark.django_db
def test_without_a_token_every_class_endpoint_is_401(class_world: ClassWorld) -> None:
    for path in ["/api/v1/classes", *class_paths(class_world)]:
        response = Client().get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "authentication_required"
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.docker
@pytest.mark.django_db(transaction=True)
def test_the_gradebook_and_submissions_of_a_class_graded_for_real(
    class_world: ClassWorld,
) -> None:
    world = class_world
    lea, ines = world.class_learner, world.class_instructor
    own = submission_create(exercise=world.exercise, files=NO_NEGATIVES, user=lea)
    assert grade_submission(own.id)
    # ines sends lea's code for her through the API, on her behalf.
    sent = api_as(ines, scoped=True).post(
        "/api/v1/submissions",
        {"exercise": world.exercise.slug, "files": FULL, "on_behalf_of": "lea"},
    )
    assert sent.status_code == 202
    assert grade_submission(sent.json()["id"])
    theirs = submission_create(exercise=world.exercise, files=FULL, user=world.other_learner)
    assert grade_submission(theirs.id)
    score_override_set(
        classroom=world.classroom,
        user_id=lea.pk,
        exercise=world.exercise,
        score=4,
        reason="Copied from a neighbour.",
        set_by=ines,
    )
    client = api_as(ines)
    base = f"/api/v1/classes/{world.classroom.pk}"

    book = client.get(f"{base}/gradebook").json()

    assert [exercise["slug"] for exercise in book["exercises"]] == ["demo-add"]
    assert [row["username"] for row in book["rows"]] == ["lea"]
    cell = book["rows"][0]["cells"][0]
    assert (cell["score"], cell["graded_score"], cell["max_score"]) == (4, 6, 6)
    assert (cell["attempts"], cell["passed"]) == (2, False)
    assert cell["override"]["reason"] == "Copied from a neighbour."
    assert cell["override"]["set_by"] == "ines"
    assert book["rows"][0]["total"] == 4
    # The same as the page's selector.
    page = gradebook_get(classroom=world.classroom)
    assert book["rows"][0]["progress"] == page.rows[0].progress
    assert book["median_progress"] == page.median_progress

    deadline_set(
        classroom=world.classroom,
        due_at=timezone.now() - timedelta(days=1),
        exercise_slug=world.exercise.slug,
    )
    Submission.objects.filter(pk=sent.json()["id"]).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    Submission.objects.filter(pk=own.pk).update(created_at=timezone.now() - timedelta(days=2))
    late = client.get(f"{base}/gradebook?before_due=true&behind=true&module=basics").json()
    assert (late["before_due"], late["behind"], late["module"]) == (True, True, "basics")
    late_cell = late["rows"][0]["cells"][0]
    assert late_cell["graded_score"] == Submission.objects.get(pk=own.pk).score
    assert (late_cell["past_due"], late["rows"][0]["behind"]) == (True, True)

    listing = client.get(f"{base}/submissions").json()
    assert listing["count"] == 2  # leo's is of the other class
    on_behalf, first = listing["items"]
    assert (on_behalf["learner"], on_behalf["submitted_by"]) == ("lea", "ines")
    assert (first["learner"], first["submitted_by"], first["regrade"]) == ("lea", None, False)
    assert on_behalf["score"] == 6 and first["verdict"] == "failed"
    assert on_behalf["url"].endswith(f"?submission={on_behalf['id']}")
    paged = client.get(f"{base}/submissions?per_page=1&learner=lea&exercise=demo-add").json()
    assert (paged["count"], len(paged["items"])) == (2, 1)
    assert paged["next"].endswith("submissions?page=2&per_page=1&exercise=demo-add&learner=lea")
    assert paged["previous"] is None
    second = client.get(paged["next"].removeprefix("http://testserver")).json()
    assert second["items"][0]["id"] == first["id"] and second["next"] is None


@pytest.mark.django_db
def test_an_unknown_exercise_or_learner_of_the_class_is_404(class_world: ClassWorld) -> None:
    base = f"/api/v1/classes/{class_world.classroom.pk}/submissions"
    client = api_as(class_world.class_instructor)

    other_course = client.get(f"{base}?exercise=other-add")
    not_in_class = client.get(f"{base}?learner=leo")

    assert other_course.status_code == not_in_class.status_code == 404
    assert other_course.json()["error"]["code"] == "unknown_exercise"
    assert not_in_class.json()["error"]["code"] == "not_a_learner"
    assert client.get(f"{base}?per_page=0").status_code == 422


@pytest.mark.django_db(transaction=True)
def test_the_class_endpoints_answer_as_the_openapi_document_says(
    class_world: ClassWorld,
) -> None:
    """tests/api/test_openapi_conformance.py's checks, for these endpoints, with
    an instructor's token and a class of theirs with a learner, a submission and
    a score set by hand, so that the 200 documents are checked too."""
    world = class_world
    submission_create(exercise=world.exercise, files=FULL, user=world.class_learner)
    score_override_set(
        classroom=world.classroom,
        user_id=world.class_learner.pk,
        exercise=world.exercise,
        score=3,
        reason="Checked by hand.",
        set_by=world.class_instructor,
    )
    token = api_token_create(user=world.class_instructor, name="ci")
    config = SchemathesisConfig.from_dict(
        {"auth": {"openapi": {"BearerToken": {"bearer": token.raw_token}}}}
    )
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", application, config=config)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if isinstance(result, Ok) and result.ok().label in OPERATIONS
    ]
    assert {operation.label for operation in operations} == OPERATIONS
    statuses: Counter[tuple[str, int]] = Counter()

    for operation in operations:
        strategies = [
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        ]
        if "{classroom_id}" in operation.path:
            strategies.append(
                operation.as_strategy(path_parameters={"classroom_id": world.classroom.pk})
            )

        @given(case=st.one_of(strategies))
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call_and_validate()
            statuses[(case.operation.label, response.status_code)] += 1

        check()

    for label in OPERATIONS:
        assert statuses[(label, 200)] > 0, statuses
