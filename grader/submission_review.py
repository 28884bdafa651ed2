"""What the submission history pages show: labels in words (never colour
alone), the learner's files highlighted, and each test of the result."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse

from grader.models import Submission
from grader.vocabulary import (
    TEST_STATUS_ICONS,
    TEST_STATUS_WORDS,
    VERDICT_LABELS,
    TestStatus,
    Verdict,
)
from lessons.markdown_render import code_render

MODE_LABELS: dict[str, str] = {Submission.Mode.SUBMIT: "Submit", Submission.Mode.RUN: "Run"}
STATUS_LABELS: dict[str, str] = {
    Submission.Status.QUEUED: "Queued",
    Submission.Status.RUNNING: "Running",
    Submission.Status.COMPLETED: "Completed",
    Submission.Status.CANCELLED: "Cancelled",
}


@dataclass(frozen=True)
class SubmissionRow:
    id: str
    url: str
    created_at: datetime
    mode: str
    mode_label: str
    status_label: str
    completed: bool
    score: float | None
    max_score: float | None
    verdict: str
    verdict_label: str
    # pass / fail / error, for the icon and the colour.
    outcome: str
    # Who sent it when not its learner: an instructor on their behalf, or who asked
    # for the regrade; None for the learner.
    sent_by: str | None = None
    # An instructor's regrade of one of the learner's submissions, not an attempt of
    # theirs: when that submission was sent, and what it scored then.
    regrade: bool = False
    regrade_of_at: datetime | None = None
    regrade_of_score: float | None = None


@dataclass(frozen=True)
class ReviewFile:
    name: str
    html: str


@dataclass(frozen=True)
class ReviewTest:
    name: str
    status: str
    status_label: str
    icon: str
    message: str
    output: str
    points: float
    max_points: float
    hidden: bool


@dataclass(frozen=True)
class SubmissionReview:
    row: SubmissionRow
    files: list[ReviewFile]
    message: str
    location: dict[str, Any] | None
    output: str
    tests: list[ReviewTest]


def submission_row(*, submission: Submission, url: str | None = None) -> SubmissionRow:
    """One line of a history table; `url` is where its time links to (by default
    the learner's own page of it)."""
    result = submission.result or {}
    verdict = str(result.get("verdict", ""))
    on_behalf = submission.submitted_by_id and submission.submitted_by_id != submission.user_id
    return SubmissionRow(
        id=str(submission.id),
        url=url
        or reverse(
            "grader:exercise_history_detail",
            kwargs={"exercise_slug": submission.exercise.slug, "submission_id": submission.id},
        ),
        created_at=submission.created_at,
        mode=submission.mode,
        mode_label=MODE_LABELS.get(submission.mode, submission.mode),
        status_label=STATUS_LABELS.get(submission.status, submission.status),
        completed=submission.status in (Submission.Status.COMPLETED, Submission.Status.CANCELLED),
        score=submission.score,
        max_score=submission.max_score,
        verdict=verdict,
        verdict_label=_verdict_label(verdict),
        outcome=str(result.get("status", "")),
        sent_by=submission.submitted_by.get_username()
        if on_behalf and submission.submitted_by
        else None,
        regrade=submission.source == Submission.Source.REGRADE,
        regrade_of_at=submission.regrade_of.created_at if submission.regrade_of else None,
        regrade_of_score=submission.regrade_of.score if submission.regrade_of else None,
    )


def _verdict_label(verdict: str) -> str:
    try:
        return VERDICT_LABELS[Verdict(verdict)]
    except ValueError:  # a verdict of a newer grader
        return verdict.replace("_", " ").capitalize()


def _test_status(status: object) -> TestStatus:
    # A stored result names one of these; anything else shows as an error.
    try:
        return TestStatus(str(status))
    except ValueError:
        return TestStatus.ERROR


def submission_review(*, submission: Submission, url: str | None = None) -> SubmissionReview:
    """The code and the result of one submission, as stored (hidden tests were
    already stripped of their code and values when the result was built)."""
    result = submission.result or {}
    tests = []
    for test in result.get("tests", []):
        status = _test_status(test.get("status"))
        tests.append(
            ReviewTest(
                name=str(test.get("name", "")),
                status=status,
                status_label=TEST_STATUS_WORDS[status].capitalize(),
                icon=TEST_STATUS_ICONS[status],
                message=str(test.get("message") or ""),
                output=str(test.get("output") or ""),
                points=float(test.get("points") or 0),
                max_points=float(test.get("max_points") or 0),
                hidden=test.get("visibility") == "hidden",
            )
        )
    return SubmissionReview(
        row=submission_row(submission=submission, url=url),
        files=[
            ReviewFile(name=name, html=code_render(text, filename=name))
            for name, text in sorted(submission.files.items())
        ],
        message=str(result.get("message") or ""),
        location=result.get("location"),
        output=str(result.get("output") or ""),
        tests=tests,
    )
