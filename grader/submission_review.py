"""What the submission history pages show: labels in words (never colour
alone), the learner's files highlighted, and each test of the result."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse

from grader.models import Submission
from lessons.markdown_render import code_render

VERDICT_LABELS = {
    "passed": "Passed",
    "failed": "Failed",
    "timeout": "Timed out",
    "memory_limit": "Memory limit reached",
    "output_limit": "Output limit reached",
    "process_limit": "Process limit reached",
    "crashed": "Crashed",
    "syntax_error": "Syntax error",
    "import_error": "Import error",
    "tampered": "Tests tampered with",
    "test_error": "The exercise's tests are broken",
    "grader_error": "Grader error",
    "cancelled": "Cancelled",
}
MODE_LABELS: dict[str, str] = {Submission.Mode.SUBMIT: "Submit", Submission.Mode.RUN: "Run"}
STATUS_LABELS: dict[str, str] = {
    Submission.Status.QUEUED: "Queued",
    Submission.Status.RUNNING: "Running",
    Submission.Status.COMPLETED: "Completed",
    Submission.Status.CANCELLED: "Cancelled",
}
# (label, icon, css modifier) for a test's status: the icon and the word carry
# the meaning, the colour only repeats it.
TEST_STATUS = {
    "pass": ("Passed", "\u2713", "pass"),
    "fail": ("Failed", "\u2717", "fail"),
    "error": ("Error", "!", "error"),
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


def submission_row(*, submission: Submission) -> SubmissionRow:
    result = submission.result or {}
    verdict = str(result.get("verdict", ""))
    return SubmissionRow(
        id=str(submission.id),
        url=reverse(
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
        verdict_label=VERDICT_LABELS.get(verdict, verdict.replace("_", " ").capitalize()),
        outcome=str(result.get("status", "")),
    )


def submission_review(*, submission: Submission) -> SubmissionReview:
    """The code and the result of one submission, as stored (hidden tests were
    already stripped of their code and values when the result was built)."""
    result = submission.result or {}
    tests = []
    for test in result.get("tests", []):
        label, icon, status = TEST_STATUS.get(test.get("status"), ("Error", "!", "error"))
        tests.append(
            ReviewTest(
                name=str(test.get("name", "")),
                status=status,
                status_label=label,
                icon=icon,
                message=str(test.get("message") or ""),
                output=str(test.get("output") or ""),
                points=float(test.get("points") or 0),
                max_points=float(test.get("max_points") or 0),
                hidden=test.get("visibility") == "hidden",
            )
        )
    return SubmissionReview(
        row=submission_row(submission=submission),
        files=[
            ReviewFile(name=name, html=code_render(text, filename=name))
            for name, text in sorted(submission.files.items())
        ],
        message=str(result.get("message") or ""),
        location=result.get("location"),
        output=str(result.get("output") or ""),
        tests=tests,
    )
