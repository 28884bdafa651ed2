"""Schemathesis against /api/v1/openapi.json, in process over ASGI, with a valid
token: for every operation, requests made from the schema (valid ones, invalid
ones, and its examples) never get a 5xx, and every answer matches the schema
(status, content type, headers, body)."""

from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok

from accounts.services import NewApiToken
from config.asgi import application
from grader.models import Submission
from grader.services import grade_submission, submission_create
from lessons.models import Exercise
from tests.conftest import exercise_files

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

EXAMPLES_PER_OPERATION = 20
# Every operation the API documents; a schema that lost some fails here first.
OPERATIONS = {
    "GET /api/v1/me",
    "GET /api/v1/courses",
    "GET /api/v1/exercises",
    "GET /api/v1/exercises/{slug}",
    "POST /api/v1/submissions",
    "GET /api/v1/submissions",
    "GET /api/v1/submissions/{submission_id}",
    "POST /api/v1/submissions/{submission_id}/cancel",
    "GET /api/v1/submissions/{submission_id}/events",
    "POST /api/v1/tokens",
    "GET /api/v1/classes",
    "GET /api/v1/classes/{classroom_id}",
    "GET /api/v1/classes/{classroom_id}/gradebook",
    "GET /api/v1/classes/{classroom_id}/submissions",
}
# Schemathesis's own default for positive_data_acceptance, widened below for one operation.
POSITIVE_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# Nothing grades in this test process, so a ?wait would always last its full
# length; the waiting itself is tested in test_wait.py.
WAIT_LONGEST = 1


def _bounded_wait(case: Any) -> None:
    wait = (case.query or {}).get("wait")
    if isinstance(wait, int) and not isinstance(wait, bool) and wait > WAIT_LONGEST:
        case.query["wait"] = WAIT_LONGEST


def test_every_operation_answers_as_its_schema_says(
    flask_exercise: Exercise, learner: User, learner_token: NewApiToken
) -> None:
    # Real ids as well as random ones: a queued submission and one graded in the
    # sandbox, so the 200 documents (with a result) are checked too.
    queued = submission_create(
        exercise=flask_exercise, files=exercise_files("starter"), user=learner
    )
    finished = submission_create(
        exercise=flask_exercise, files=exercise_files("solution"), user=learner
    )
    assert grade_submission(finished.id)
    finished.refresh_from_db()
    assert finished.status == Submission.Status.COMPLETED

    config = SchemathesisConfig.from_dict(
        {
            # The token through the schema's own security scheme, so that the
            # requests that test authentication go without it, as they should.
            "auth": {"openapi": {"BearerToken": {"bearer": learner_token.raw_token}}},
            "operations": [
                {
                    # A schema-valid submission may still break a rule that depends on
                    # stored state, which no schema can say: an Idempotency-Key used
                    # before for other content (422, as the IETF Idempotency-Key draft
                    # says), an unknown learner, a callback host that resolves to a
                    # private address. Every other check applies unchanged.
                    "include-path": "/api/v1/submissions",
                    "include-method": "POST",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [*POSITIVE_ACCEPTED, "422"]
                        }
                    },
                }
            ],
        }
    )
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", application, config=config)
    # An operation Schemathesis cannot read is an Err, and missing from the set below.
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert {operation.label for operation in operations} == OPERATIONS
    calls: Counter[str] = Counter()
    statuses: Counter[tuple[str, int]] = Counter()

    for operation in operations:
        strategies = [
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
            *operation.get_strategies_from_examples(),
        ]
        if "{slug}" in operation.path:
            strategies.append(operation.as_strategy(path_parameters={"slug": flask_exercise.slug}))
        if "{submission_id}" in operation.path:
            # A queued submission's event stream only ends when it is graded.
            ids = [finished.id] if operation.path.endswith("/events") else [queued.id, finished.id]
            strategies += [
                operation.as_strategy(path_parameters={"submission_id": str(submission_id)})
                for submission_id in ids
            ]

        @given(case=st.one_of(strategies))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            _bounded_wait(case)
            response = case.call_and_validate()
            calls[case.operation.label] += 1
            statuses[(case.operation.label, response.status_code)] += 1

        check()

    assert set(calls) == OPERATIONS
    assert all(count >= EXAMPLES_PER_OPERATION // 2 for count in calls.values()), calls
    # Not only refusals: the happy paths were checked against the schema as well.
    for label, status in (
        ("GET /api/v1/exercises/{slug}", 200),
        ("POST /api/v1/submissions", 202),
        ("POST /api/v1/submissions/{submission_id}/cancel", 200),
        ("GET /api/v1/submissions/{submission_id}", 200),
        ("GET /api/v1/submissions/{submission_id}/events", 200),
    ):
        assert statuses[(label, status)] > 0, statuses
