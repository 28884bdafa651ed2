"""The regrade pages: start a regrade from the form, follow its progress, cancel
it; only the class's instructors reach them."""

from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse

from grader.models import Regrade, Submission
from grader.services import submission_create, submission_grade_next
from tests.support.classes import ClassWorld
from tests.support.clients import logged_in
from tests.support.regrades import RIGHT

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db


def _graded_submission(world: ClassWorld) -> Submission:
    submission = submission_create(exercise=world.exercise, files=RIGHT, user=world.class_learner)
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.COMPLETED, score=6.0, max_score=6.0
    )
    return submission


def _start(
    client: Client, world: ClassWorld, which: str = "latest"
) -> "_MonkeyPatchedWSGIResponse":
    return client.post(
        reverse("teaching:regrades", kwargs={"classroom_id": world.classroom.pk}),
        {"exercise": world.exercise.slug, "which": which},
    )


def test_an_instructor_starts_follows_and_cancels_a_regrade(class_world: ClassWorld) -> None:
    _graded_submission(class_world)
    client = logged_in(class_world.class_instructor)

    started = _start(client, class_world)

    regrade = Regrade.objects.get()
    assert started.status_code == 302
    assert started["Location"] == reverse(
        "teaching:regrade",
        kwargs={"classroom_id": class_world.classroom.pk, "regrade_id": regrade.pk},
    )
    page = client.get(started["Location"])
    assert page.status_code == 200
    assert b"0 of 1 regraded" in page.content
    assert b"js/regrade.js" in page.content
    progress_url = reverse(
        "teaching:regrade_progress",
        kwargs={"classroom_id": class_world.classroom.pk, "regrade_id": regrade.pk},
    )
    assert client.get(progress_url).json()["waiting"] == 1

    cancelled = client.post(
        reverse(
            "teaching:regrade_cancel",
            kwargs={"classroom_id": class_world.classroom.pk, "regrade_id": regrade.pk},
        ),
        follow=True,
    )
    assert b"Regrade cancelled" in cancelled.content
    assert client.get(progress_url).json() == {
        "total": 1,
        "graded": 0,
        "cancelled": 1,
        "waiting": 0,
        "finished": True,
        "percent": 100,
        "cancelled_at": client.get(progress_url).json()["cancelled_at"],
    }
    assert submission_grade_next(worker="w") is False


def test_a_refused_regrade_says_why_and_starts_nothing(class_world: ClassWorld) -> None:
    client = logged_in(class_world.class_instructor)

    refused = _start(client, class_world)

    assert refused.status_code == 409
    assert b"No learner of this class has a graded submission" in refused.content
    assert not Regrade.objects.exists()
    _graded_submission(class_world)
    unknown = client.post(
        reverse("teaching:regrades", kwargs={"classroom_id": class_world.classroom.pk}),
        {"exercise": "other-add", "which": "latest"},
    )
    assert unknown.status_code == 400
    assert not Regrade.objects.exists()


@pytest.mark.parametrize("who", ["other_instructor", "class_learner", "other_learner"])
def test_only_the_class_instructors_reach_its_regrades(class_world: ClassWorld, who: str) -> None:
    _graded_submission(class_world)
    _start(logged_in(class_world.class_instructor), class_world)
    regrade = Regrade.objects.get()
    client = logged_in(class_world.users[who])
    ids = {"classroom_id": class_world.classroom.pk, "regrade_id": regrade.pk}

    assert (
        client.get(
            reverse("teaching:regrades", kwargs={"classroom_id": ids["classroom_id"]})
        ).status_code
        == 404
    )
    assert client.get(reverse("teaching:regrade", kwargs=ids)).status_code == 404
    assert client.get(reverse("teaching:regrade_progress", kwargs=ids)).status_code == 404
    assert client.post(reverse("teaching:regrade_cancel", kwargs=ids)).status_code == 404
    assert _start(client, class_world).status_code == 404
    assert Regrade.objects.count() == 1
    regrade.refresh_from_db()
    assert regrade.cancelled_at is None


def test_anonymous_visitors_are_sent_to_log_in(class_world: ClassWorld) -> None:
    url = reverse("teaching:regrades", kwargs={"classroom_id": class_world.classroom.pk})
    answer = Client().get(url)
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))
