"""Regrades (grader/regrades.py), graded for real: after a content load changes
an exercise's tests, a class's submissions are graded again at a lower
priority than live ones, each learner's best is recounted, and the originals
keep their scores."""

from pathlib import Path

import pytest
from django.urls import reverse

from grader.models import Regrade, Submission
from grader.regrades import (
    RegradeRefused,
    regrade_cancel,
    regrade_changes,
    regrade_progress,
    regrade_start,
)
from grader.selectors import graded_submissions
from grader.services import submission_create, submission_grade_next
from learning.models import ExerciseProgress
from tests.support.classes import ClassWorld
from tests.support.clients import logged_in
from tests.support.regrades import (
    RIGHT,
    TRUNCATING,
    class_of,
    exercise_tests_changed,
    graded,
    submitted_and_graded,
    time_limit_raised,
)

LEARNERS = 50


@pytest.mark.django_db(transaction=True)
def test_a_regrade_of_fifty_grades_them_again_after_live_submissions(
    class_world: ClassWorld, content_root: Path
) -> None:
    learners = class_of(class_world, LEARNERS)
    originals = submitted_and_graded(class_world, learners, content_root)
    graded_originals = Submission.objects.filter(pk__in=[o.pk for o in originals])
    assert {(s.score, s.result_status) for s in graded_originals} == {(6.0, "pass")}, {
        (s.score, (s.result or {}).get("verdict")) for s in graded_originals
    }
    exercise_tests_changed(content_root)

    regrade = regrade_start(
        classroom=class_world.classroom,
        exercise=class_world.exercise,
        which=Regrade.Which.LATEST,
        requested_by=class_world.class_instructor,
    )
    # Learners who submit while the regrade waits: sent after its 50, graded first.
    live = [
        submission_create(exercise=class_world.exercise, files=RIGHT, user=learner)
        for learner in learners[:3]
    ]
    assert regrade_progress(regrade=regrade).as_json() == {
        "total": LEARNERS,
        "graded": 0,
        "cancelled": 0,
        "waiting": LEARNERS,
        "finished": False,
        "percent": 0,
    }
    # The in-process pool's workers claim in this order (grader/inline.py).
    assert submission_grade_next(worker="live", live_only=True)
    while submission_grade_next(worker="any"):
        pass

    order = list(
        Submission.objects.exclude(pk__in=[o.pk for o in originals])
        .order_by("started_at")
        .values_list("pk", flat=True)
    )
    assert set(order[:3]) == {s.pk for s in live}
    progress = regrade_progress(regrade=regrade)
    assert (progress.finished, progress.graded, progress.percent) == (True, LEARNERS, 100)

    # The originals keep their scores; the regrades stand in for them.
    for original in Submission.objects.filter(pk__in=[o.pk for o in originals]):
        assert original.score == 6.0
    changes = regrade_changes(regrade=regrade)
    assert len(changes) == LEARNERS
    truncating = {learner.username for index, learner in enumerate(learners) if index % 2}
    for change in changes:
        assert change.before == 6.0
        assert change.after == (3.0 if change.learner in truncating else 6.0)
    # Biggest changes first.
    assert {change.learner for change in changes[: len(truncating)]} == truncating

    # A regrade is not an attempt; the best is recounted from the stand-ins
    # (learner03 regraded down and never submitted live).
    dropped = ExerciseProgress.objects.get(user__username="learner03")
    assert (dropped.attempts, dropped.best_score, dropped.completed) == (1, 3.0, False)
    kept = ExerciseProgress.objects.get(user=class_world.class_learner)
    assert (kept.attempts, kept.best_score) == (2, 6.0)
    standing = graded_submissions(exercises=[class_world.exercise], users=[learners[3]])
    assert [s.source for s in standing] == [Submission.Source.REGRADE]


@pytest.mark.django_db(transaction=True)
def test_regrading_again_stands_the_newest_in_for_the_original(
    class_world: ClassWorld, content_root: Path
) -> None:
    time_limit_raised(content_root)
    original = submission_create(
        exercise=class_world.exercise, files=TRUNCATING, user=class_world.class_learner
    )
    graded([original])
    exercise_tests_changed(content_root)
    for _ in range(2):
        regrade = regrade_start(
            classroom=class_world.classroom,
            exercise=class_world.exercise,
            which=Regrade.Which.BEST,
            requested_by=class_world.class_instructor,
        )
        while submission_grade_next(worker="any"):
            pass

    second = regrade_changes(regrade=regrade)
    # The second regrade's "before" is the first regrade's score, not the original's.
    assert [(c.before, c.after) for c in second] == [(3.0, 3.0)]
    standing = graded_submissions(
        exercises=[class_world.exercise], users=[class_world.class_learner]
    )
    assert [s.regrade_id for s in standing] == [regrade.pk]
    assert all(s.regrade_of_id == original.pk for s in standing)

    # The learner's history keeps the original with its score, beside the regrades.
    history = logged_in(class_world.class_learner).get(
        reverse("grader:exercise_history", kwargs={"exercise_slug": class_world.exercise.slug})
    )
    text = history.content.decode()
    assert text.count(">Regraded</span>") == 2
    assert "which had 6" in text
    assert "{#" not in text
    assert text.count('data-submission="') == 3


@pytest.mark.django_db
def test_a_regrade_is_refused_while_one_runs_and_without_submissions(
    class_world: ClassWorld,
) -> None:
    def start(which: str = Regrade.Which.LATEST) -> Regrade:
        return regrade_start(
            classroom=class_world.classroom,
            exercise=class_world.exercise,
            which=which,
            requested_by=class_world.class_instructor,
        )

    with pytest.raises(RegradeRefused) as nothing:
        start()
    assert nothing.value.code == "nothing_to_regrade"

    graded = submission_create(
        exercise=class_world.exercise, files=RIGHT, user=class_world.class_learner
    )
    Submission.objects.filter(pk=graded.pk).update(
        status=Submission.Status.COMPLETED, score=6.0, max_score=6.0
    )
    start()
    with pytest.raises(RegradeRefused) as running:
        start()
    assert (running.value.code, running.value.status) == ("regrade_running", 409)
    with pytest.raises(RegradeRefused) as which:
        start("worst")
    assert which.value.code == "invalid_which"


@pytest.mark.django_db
def test_a_live_only_worker_leaves_regrades_and_regrades_skip_the_learners_limits(
    class_world: ClassWorld, settings: object
) -> None:
    learner = class_world.class_learner
    graded = submission_create(exercise=class_world.exercise, files=RIGHT, user=learner)
    Submission.objects.filter(pk=graded.pk).update(
        status=Submission.Status.COMPLETED, score=6.0, max_score=6.0
    )
    regrade = regrade_start(
        classroom=class_world.classroom,
        exercise=class_world.exercise,
        which=Regrade.Which.LATEST,
        requested_by=class_world.class_instructor,
    )
    assert submission_grade_next(worker="live", live_only=True) is False
    # The learner's own limits do not count the regrade (SUBMISSIONS_ACTIVE_PER_USER).
    settings.SUBMISSIONS_ACTIVE_PER_USER = 1  # type: ignore[attr-defined]
    submission_create(exercise=class_world.exercise, files=RIGHT, user=learner)

    regrade_cancel(regrade=regrade)
    regrade.refresh_from_db()
    assert regrade.cancelled_at is not None
    progress = regrade_progress(regrade=regrade)
    assert (progress.cancelled, progress.finished) == (1, True)


@pytest.mark.django_db
def test_a_learner_cannot_send_a_regrade_or_jump_the_queue(
    class_world: ClassWorld, settings: object
) -> None:
    """A forgery: a learner who names a regrade's fields in their own submission
    gets an ordinary live one, held against their limits like any other."""
    learner = class_world.class_learner
    forged = {
        "files": RIGHT,
        "source": "regrade",
        "priority": 0,
        "regrade": "00000000-0000-0000-0000-000000000000",
        "regrade_of": "00000000-0000-0000-0000-000000000000",
        "submitted_by": class_world.class_instructor.pk,
    }
    url = reverse("grader:submission_create", kwargs={"exercise_slug": class_world.exercise.slug})
    client = logged_in(learner)
    settings.SUBMISSIONS_ACTIVE_PER_USER = 1  # type: ignore[attr-defined]

    sent = client.post(url, forged, content_type="application/json")
    again = client.post(url, forged, content_type="application/json")

    assert sent.status_code == 202
    stored = Submission.objects.get()
    assert (stored.source, stored.priority, stored.regrade_id, stored.regrade_of_id) == (
        Submission.Source.WEB,
        Submission.Priority.LIVE,
        None,
        None,
    )
    assert stored.submitted_by == learner
    # Not a regrade, so the learner's limit of one waiting submission holds.
    assert again.status_code == 429
