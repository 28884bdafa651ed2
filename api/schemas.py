"""The shapes of the API's requests and answers: the OpenAPI document is made from these."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict


class ErrorDetail(Schema):
    code: str = Field(..., description="Machine-readable, e.g. rate_limited.")
    message: str = Field(..., description="What went wrong and what to do, in words.")
    fields: dict[str, str] | None = Field(None, description="The input fields at fault.")


class ErrorOut(Schema):
    error: ErrorDetail


class CourseOut(Schema):
    slug: str
    title: str
    summary: str
    exercise_count: int
    url: str


class ExerciseSummaryOut(Schema):
    slug: str
    title: str
    course: str
    lesson: str
    max_score: float
    accepted_files: list[str]
    url: str


class TestSpecOut(Schema):
    name: str
    visibility: Literal["visible"]
    max_points: float


class HiddenTestsOut(Schema):
    count: int
    max_points: float


class LimitsOut(Schema):
    wall_seconds: float
    memory_mb: int
    pids: int
    cpus: float
    output_kb: int


class ExerciseOut(ExerciseSummaryOut):
    instructions_html: str
    starter_files: dict[str, str]
    visible_tests: dict[str, str] = Field(..., description="The visible test files, name → text.")
    tests: list[TestSpecOut] = Field(..., description="The visible tests, in file order.")
    hidden_tests: HiddenTestsOut
    limits: LimitsOut | None = Field(None, description="Sandbox limits of one run.")
    hint_count: int


class SubmissionIn(Schema):
    exercise: str = Field(..., min_length=1, max_length=100, examples=["flask-hello-world"])
    files: dict[str, str] = Field(
        ...,
        description="File name → text; names from the exercise's accepted_files.",
        examples=[{"app.py": "from flask import Flask\napp = Flask(__name__)\n"}],
    )
    mode: Literal["run", "submit"] = Field(
        "submit", description="run: the visible tests only, not counted; submit: every test."
    )
    callback_url: str | None = Field(
        None,
        max_length=2000,
        description="POSTed the signed result when grading ends (http or https, public hosts).",
    )
    on_behalf_of: str | None = Field(
        None,
        min_length=1,
        max_length=150,
        description="A learner's username; needs a token with the submit_for_learners scope "
        "of an instructor of the exercise's course.",
    )


class SubmissionUrls(Schema):
    self: str
    events: str = Field(..., description="Server-Sent Events stream.")
    websocket: str


class SubmissionAcceptedOut(Schema):
    id: str
    status: str
    position: int = Field(..., description="Place in the queue: 1 is next; 0 once started.")
    urls: SubmissionUrls


class ComparisonOut(Schema):
    got: str
    expected: str


class LearnerRaisedOut(Schema):
    exception: str
    file: str
    line: int


class TestResultOut(Schema):
    model_config = ConfigDict(extra="allow")

    name: str
    status: Literal["pass", "fail", "error", "skip"] = Field(
        ..., description="skip: skipped by the exercise itself; it counts for no points."
    )
    message: str
    output: str
    points: float
    max_points: float
    visibility: str
    duration_ms: int
    ran: bool = Field(
        True,
        description="False for a test that never ran: the run stopped before it "
        "(a syntax error, a limit) or the grader could not start it.",
    )
    exchanges: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Visible tests of web exercises: the HTTP requests the test made, "
        "each with method, path, status, content_type and a body excerpt.",
    )
    comparison: ComparisonOut | None = Field(
        None,
        description="A failed visible test's `assert got == expected`: both values as "
        "pytest shows them, cut to 240 characters. Never for a hidden test.",
    )
    learner_raised: LearnerRaisedOut | None = Field(
        None,
        description="A failed test during which the learner's own code raised: "
        "the exception and where, in the learner's files (hidden tests too).",
    )


class ResultOut(Schema):
    model_config = ConfigDict(extra="allow")

    version: int
    status: Literal["pass", "fail", "error"]
    verdict: str
    message: str
    location: dict[str, Any] | None = None
    score: float
    max_score: float
    gradable: bool
    output: str
    tests: list[TestResultOut]
    timings: dict[str, Any] | None = None


class EventOut(Schema):
    seq: int
    type: str
    data: dict[str, Any]
    at: str


class GraderOut(Schema):
    available: bool
    message: str


class CallbackOut(Schema):
    url: str
    attempts: int
    delivered_at: datetime | None
    failed_at: datetime | None
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str


class CallbackSubmissionOut(Schema):
    """The submission in a result callback's body."""

    id: str
    exercise: str
    status: Literal["queued", "running", "completed", "cancelled"]
    mode: Literal["run", "submit"]
    learner: str | None
    submitted_by: str | None
    created_at: datetime
    finished_at: datetime | None


class SubmissionOut(CallbackSubmissionOut):
    position: int
    started_at: datetime | None
    result: ResultOut | None
    events: list[EventOut]
    grader: GraderOut
    callback: CallbackOut | None = Field(None, description="Shown to whoever submitted it.")
    urls: SubmissionUrls


class SubmissionSummaryOut(Schema):
    id: str
    exercise: str
    status: Literal["queued", "running", "completed", "cancelled"]
    mode: Literal["run", "submit"]
    verdict: str | None
    score: float | None
    max_score: float | None
    created_at: datetime
    finished_at: datetime | None
    urls: SubmissionUrls


class SubmissionPageOut(Schema):
    items: list[SubmissionSummaryOut]
    count: int
    page: int
    per_page: int
    next: str | None
    previous: str | None


class TokenInfoOut(Schema):
    name: str
    scopes: list[str]
    expires_at: datetime | None


class MeOut(Schema):
    username: str
    token: TokenInfoOut


# --- an instructor's classes (api/teaching.py) ---------------------------------------


class ClassOut(Schema):
    id: int
    name: str
    course: str = Field(..., description="The course's slug.")
    course_title: str
    starts_on: date | None
    ends_on: date | None
    joining_open: bool
    learner_count: int
    url: str = Field(..., description="The class's page on the site.")


class ClassLearnerOut(Schema):
    username: str
    name: str = Field(..., description="Full name; empty when the learner gave none.")
    email: str
    joined_at: datetime


class ClassDetailOut(ClassOut):
    instructors: list[str] = Field(..., description="Usernames.")
    learners: list[ClassLearnerOut]


class GradebookExerciseOut(Schema):
    slug: str
    title: str
    module: str = Field(..., description="The module's slug.")
    max_score: float
    due_at: datetime | None = Field(..., description="The class's due date, before extensions.")


class ScoreOverrideOut(Schema):
    score: float
    reason: str
    set_by: str | None
    created_at: datetime


class GradebookCellOut(Schema):
    exercise: str
    score: float | None = Field(
        ..., description="What counts: the override's score if any, else `graded_score`."
    )
    graded_score: float | None = Field(
        ..., description="The best graded Submit that counts; null when none does."
    )
    max_score: float
    attempts: int
    passed: bool
    past_due: bool = Field(..., description="The learner's due date is past and not passed.")
    due_at: datetime | None = Field(..., description="This learner's due date (extensions win).")
    override: ScoreOverrideOut | None = Field(..., description="The score set by hand that counts.")


class GradebookRowOut(Schema):
    username: str
    name: str
    email: str
    total: float
    max_total: float
    passed: int = Field(..., description="Exercises passed.")
    progress: float = Field(..., ge=0, le=1, description="Exercises passed / exercises.")
    last_activity: datetime | None
    behind: bool = Field(
        ..., description="Missed a due date without passing, or progress below the median."
    )
    cells: list[GradebookCellOut] = Field(..., description="In the order of `exercises`.")


class GradebookOut(Schema):
    classroom: int
    module: str | None = Field(..., description="The module shown; null for every module.")
    before_due: bool
    behind: bool
    sort: str
    median_progress: float
    learner_count: int = Field(..., description="Learners of the class, before `behind`.")
    exercises: list[GradebookExerciseOut]
    rows: list[GradebookRowOut]


class ClassSubmissionOut(Schema):
    id: str
    exercise: str
    learner: str
    submitted_by: str | None = Field(
        ...,
        description="Who sent it on the learner's behalf, or asked for the regrade; null "
        "when the learner sent it.",
    )
    status: Literal["queued", "running", "completed", "cancelled"]
    mode: Literal["run", "submit"]
    regrade: bool = Field(..., description="An instructor's regrade of one of its submissions.")
    verdict: str | None
    score: float | None
    max_score: float | None
    created_at: datetime
    finished_at: datetime | None
    url: str = Field(..., description="Its code and result on the site, for the instructors.")


class ClassSubmissionPageOut(Schema):
    items: list[ClassSubmissionOut]
    count: int
    page: int
    per_page: int
    next: str | None
    previous: str | None
