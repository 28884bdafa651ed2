"""Who reaches what of a class, on every instructor page and endpoint, with the
named users of tests/support/classes.py: the class's instructor is let in;
an instructor of another course, a learner of the class, a learner of another
class and an instructor of the same course who does not teach the class get
404 and change nothing; an anonymous visitor is sent to log
in (the API: 401). One table, so a new page without its check shows up here."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_create
from classes.models import Classroom, Deadline, Extension, Membership, ScoreOverride
from grader.models import Regrade, Submission
from grader.regrades import regrade_cancel, regrade_start
from grader.services import submission_create
from tests.support.classes import ClassWorld
from tests.support.clients import logged_in
from tests.support.regrades import RIGHT

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    # The URL, from the world and the regrade made for it.
    url: Callable[[ClassWorld, Regrade], str]
    data: Callable[[ClassWorld], dict[str, str]] = lambda world: {}
    # What the class instructor's call needs first (one regrade at a time runs).
    prepare: Callable[[Regrade], object] = lambda regrade: None


def _class_url(name: str) -> Callable[[ClassWorld, Regrade], str]:
    return lambda world, regrade: reverse(name, kwargs={"classroom_id": world.classroom.pk})


def _learner_url(name: str) -> Callable[[ClassWorld, Regrade], str]:
    return lambda world, regrade: reverse(
        name,
        kwargs={
            "classroom_id": world.classroom.pk,
            "user_id": world.class_learner.pk,
            "exercise_slug": world.exercise.slug,
        },
    )


def _regrade_url(name: str) -> Callable[[ClassWorld, Regrade], str]:
    return lambda world, regrade: reverse(
        name, kwargs={"classroom_id": world.classroom.pk, "regrade_id": regrade.pk}
    )


PAGES = [
    Endpoint("class page", "get", _class_url("classes:classroom")),
    Endpoint(
        "close joining", "post", _class_url("classes:joining"), lambda w: {"joining_open": "0"}
    ),
    Endpoint(
        "add a co-instructor",
        "post",
        _class_url("classes:instructor_add"),
        lambda w: {"username": w.other_instructor.username},
    ),
    Endpoint(
        "remove a learner",
        "post",
        lambda world, regrade: reverse(
            "classes:learner_remove",
            kwargs={"classroom_id": world.classroom.pk, "user_id": world.class_learner.pk},
        ),
    ),
    Endpoint(
        "set a due date",
        "post",
        _class_url("classes:due_date_set"),
        lambda w: {"target": f"exercise:{w.exercise.slug}", "due_at": "2030-01-15T17:00"},
    ),
    Endpoint(
        "grant an extension",
        "post",
        _class_url("classes:extension_set"),
        lambda w: {
            "learner": str(w.class_learner.pk),
            "target": f"exercise:{w.exercise.slug}",
            "due_at": "2030-01-20T17:00",
        },
    ),
    Endpoint("gradebook", "get", _class_url("teaching:gradebook")),
    Endpoint("gradebook CSV", "get", _class_url("teaching:gradebook_csv")),
    Endpoint("a learner's submissions", "get", _learner_url("teaching:learner_exercise")),
    Endpoint(
        "set a score by hand",
        "post",
        _learner_url("teaching:score_override"),
        lambda w: {"score": "3", "reason": "Graded by hand"},
    ),
    Endpoint("analytics", "get", _class_url("teaching:analytics")),
    Endpoint("regrades", "get", _class_url("teaching:regrades")),
    Endpoint(
        "start a regrade",
        "post",
        _class_url("teaching:regrades"),
        lambda w: {"exercise": w.exercise.slug, "which": "best"},
        prepare=lambda regrade: regrade_cancel(regrade=regrade),
    ),
    Endpoint("a regrade", "get", _regrade_url("teaching:regrade")),
    Endpoint("a regrade's progress", "get", _regrade_url("teaching:regrade_progress")),
    Endpoint("cancel a regrade", "post", _regrade_url("teaching:regrade_cancel")),
]
API = [
    lambda world: f"/api/v1/classes/{world.classroom.pk}",
    lambda world: f"/api/v1/classes/{world.classroom.pk}/gradebook",
    lambda world: f"/api/v1/classes/{world.classroom.pk}/submissions",
]
OUTSIDERS = ["other_instructor", "class_learner", "other_learner", "course_colleague"]


@pytest.fixture
def regrade(class_world: ClassWorld) -> Regrade:
    """A graded submission of the class's learner and a regrade of it, waiting."""
    submission = submission_create(
        exercise=class_world.exercise, files=RIGHT, user=class_world.class_learner
    )
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.COMPLETED, score=6.0, max_score=6.0, result_status="pass"
    )
    return regrade_start(
        classroom=class_world.classroom,
        exercise=class_world.exercise,
        which=Regrade.Which.LATEST,
        requested_by=class_world.class_instructor,
    )


def _state(world: ClassWorld) -> dict[str, object]:
    """What any of the endpoints could change."""
    classroom = Classroom.objects.get(pk=world.classroom.pk)
    return {
        "joining_open": classroom.joining_open,
        "instructors": sorted(classroom.instructors.values_list("username", flat=True)),
        "learners": sorted(
            Membership.objects.filter(classroom=classroom).values_list("user", flat=True)
        ),
        "deadlines": Deadline.objects.count(),
        "extensions": Extension.objects.count(),
        "overrides": ScoreOverride.objects.count(),
        "regrades": list(Regrade.objects.values_list("pk", "cancelled_at")),
        "submissions": Submission.objects.count(),
    }


def _call(client: Client, endpoint: Endpoint, world: ClassWorld, regrade: Regrade) -> int:
    url = endpoint.url(world, regrade)
    if endpoint.method == "get":
        return client.get(url).status_code
    return client.post(url, endpoint.data(world)).status_code


@pytest.mark.parametrize("endpoint", PAGES, ids=lambda e: e.name)
def test_the_class_instructor_is_let_in(
    class_world: ClassWorld, regrade: Regrade, endpoint: Endpoint
) -> None:
    endpoint.prepare(regrade)
    before = _state(class_world)

    status = _call(logged_in(class_world.class_instructor), endpoint, class_world, regrade)

    assert status in (200, 302), status
    if endpoint.method == "post":
        assert _state(class_world) != before, f"{endpoint.name} changed nothing"


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("endpoint", PAGES, ids=lambda e: e.name)
def test_everyone_else_gets_not_found_and_changes_nothing(
    class_world: ClassWorld, regrade: Regrade, endpoint: Endpoint, who: str
) -> None:
    before = _state(class_world)

    status = _call(logged_in(class_world.users[who]), endpoint, class_world, regrade)

    assert status == 404
    assert _state(class_world) == before


@pytest.mark.parametrize("endpoint", PAGES, ids=lambda e: e.name)
def test_anonymous_visitors_are_sent_to_log_in(
    class_world: ClassWorld, regrade: Regrade, endpoint: Endpoint
) -> None:
    before = _state(class_world)
    url = endpoint.url(class_world, regrade)
    answer = (
        Client().get(url)
        if endpoint.method == "get"
        else Client().post(url, endpoint.data(class_world))
    )

    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))
    assert _state(class_world) == before


def test_the_api_answers_the_class_instructor_only(
    class_world: ClassWorld, regrade: Regrade
) -> None:
    for who, user in class_world.users.items():
        token = api_token_create(user=user, name="laptop").raw_token
        client = Client(headers={"Authorization": f"Bearer {token}"})
        listed = [item["id"] for item in client.get("/api/v1/classes").json()]
        assert (class_world.classroom.pk in listed) == (who == "class_instructor"), who
        for path in API:
            status = client.get(path(class_world)).status_code
            assert status == (200 if who == "class_instructor" else 404), (who, path(class_world))
    for path in API:
        assert Client().get(path(class_world)).status_code == 401


def test_the_grader_history_pages_stay_the_learners_own(class_world: ClassWorld) -> None:
    """The class's instructor reads a learner's work on the class's pages, not on
    the learner's own history URLs, which answer only to the learner."""
    submission = submission_create(
        exercise=class_world.exercise, files=RIGHT, user=class_world.class_learner
    )
    url = reverse(
        "grader:exercise_history_detail",
        kwargs={"exercise_slug": class_world.exercise.slug, "submission_id": submission.pk},
    )
    assert logged_in(class_world.class_learner).get(url).status_code == 200
    for who in ("class_instructor", *OUTSIDERS[:1], "other_learner", "course_colleague"):
        assert logged_in(class_world.users[who]).get(url).status_code == 404, who
