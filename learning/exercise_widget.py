"""What the exercise widget on a lesson page shows, and nothing more.

The template gets this whitelist rather than the Exercise itself, so the
hidden tests, the solution and the hints not yet revealed cannot reach the
page by a slip in a template.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

from learning.models import ExerciseProgress
from learning.selectors import DueNote, ScoreOverrideNote, exercise_status, hint_state_get
from lessons.markdown_render import code_render
from lessons.models import Exercise, Lesson


@dataclass(frozen=True)
class WidgetFile:
    name: str
    text: str
    # Unique on the page: a lesson may hold several exercises.
    element_id: str


@dataclass(frozen=True)
class WidgetTestFile:
    name: str
    html: str


@dataclass(frozen=True)
class ExerciseWidget:
    slug: str
    title: str
    instructions_html: str
    # The starter files, one per accepted name, in the exercise's order.
    files: list[WidgetFile]
    accepted_files: list[str]
    visible_tests: list[WidgetTestFile]
    test_count: int
    hidden_test_count: int
    max_score: float
    # Endpoints (docs/learners.md).
    submit_url: str
    draft_url: str
    hints_url: str
    history_url: str
    latest_url: str
    # "Try your API" (grader/try_consumer.py): a web exercise's WebSocket, else "".
    try_url: str
    try_seconds: int
    # The reference solution: its endpoint, and whether the author lets it be shown.
    solution_url: str
    solution_shown: bool
    # Where "Next" after a pass leads: the lesson after this one, if any.
    next_url: str
    next_title: str
    # The page the widget is on, and the ways back to it after logging in.
    lesson_url: str
    is_authenticated: bool
    login_url: str
    signup_url: str
    # The learner's standing; zeros for an anonymous visitor.
    attempts: int
    best_score: float
    completed: bool
    status: str
    status_label: str
    # Only the hints this learner has revealed; the rest stay on the server.
    hints_revealed_html: list[str]
    hints_total: int
    can_reveal_hint: bool
    # The server refuses bigger submissions; the page checks first.
    max_files: int
    max_bytes: int
    # When it is due in the learner's class (learning.selectors.due_notes), if it is.
    due: DueNote | None = None
    # Scores an instructor set by hand, newest (the one that counts) first: the
    # workspace shows them beside the graded best score.
    score_overrides: tuple[ScoreOverrideNote, ...] = ()
    # A project's next step (front matter `continues`): where "Start from your
    # code of <the step before>" posts, once the learner passed that step.
    continue_url: str = ""
    continue_title: str = ""


def exercise_submit_url(*, slug: str) -> str:
    # The grader's API owns this path: POST /exercises/<slug>/submissions/.
    return reverse("grader:submission_create", kwargs={"exercise_slug": slug})


def exercise_widget(
    *,
    exercise: Exercise,
    user: User | AnonymousUser | None,
    progress: ExerciseProgress | None,
    lesson_url: str,
    next_lesson: Lesson | None = None,
    due: DueNote | None = None,
) -> ExerciseWidget:
    """The widget of one exercise for this visitor; `progress` is theirs (None if none)."""
    starter = exercise.starter_files
    files = [
        WidgetFile(name=name, text=starter.get(name, ""), element_id=f"ex-{exercise.slug}-f{index}")
        for index, name in enumerate(exercise.accepted_files)
    ]
    visible_tests = [
        WidgetTestFile(name=f"tests/{name}", html=code_render(text, filename=name))
        for name, text in sorted(exercise.visible_test_files.items())
    ]
    authenticated = user is not None and user.is_authenticated
    if not authenticated:
        progress = None
    hints = hint_state_get(exercise=exercise, progress=progress)
    status = exercise_status(progress=progress)
    back = urlencode({"next": f"{lesson_url}#exercise-{exercise.slug}"})
    continue_url, continue_title = _continue_offer(
        exercise=exercise, user=user if authenticated else None
    )
    slug = {"exercise_slug": exercise.slug}
    return ExerciseWidget(
        slug=exercise.slug,
        title=exercise.title,
        instructions_html=exercise.instructions_html,
        files=files,
        accepted_files=list(exercise.accepted_files),
        visible_tests=visible_tests,
        test_count=len(exercise.tests),
        hidden_test_count=sum(1 for test in exercise.tests if test["visibility"] == "hidden"),
        max_score=exercise.max_score,
        submit_url=exercise_submit_url(slug=exercise.slug),
        draft_url=reverse("learning:exercise_draft", kwargs=slug),
        hints_url=reverse("learning:exercise_hints", kwargs=slug),
        history_url=reverse("grader:exercise_history", kwargs=slug),
        latest_url=reverse("grader:submission_latest", kwargs=slug),
        # The consumer's route (grader/routing.py) has no name to reverse.
        try_url=f"/ws/exercises/{exercise.slug}/try/" if authenticated and exercise.is_web else "",
        try_seconds=settings.TRY_SESSION_SECONDS,
        solution_url=reverse("learning:exercise_solution", kwargs=slug),
        solution_shown=exercise.solution_shown_after_pass,
        next_url=next_lesson.get_absolute_url() if next_lesson else "",
        next_title=next_lesson.title if next_lesson else "",
        lesson_url=lesson_url,
        is_authenticated=authenticated,
        login_url=f"{reverse('login')}?{back}",
        signup_url=f"{reverse('signup')}?{back}",
        attempts=progress.attempts if progress else 0,
        best_score=float(progress.best_score) if progress else 0.0,
        completed=bool(progress and progress.completed),
        status=status.value,
        status_label=status.label,
        hints_revealed_html=hints.revealed_html,
        hints_total=hints.total,
        can_reveal_hint=hints.can_reveal,
        max_files=settings.SUBMISSION_MAX_FILES,
        max_bytes=settings.SUBMISSION_MAX_BYTES,
        due=due if authenticated else None,
        continue_url=continue_url,
        continue_title=continue_title,
    )


def _continue_offer(*, exercise: Exercise, user: User | AnonymousUser | None) -> tuple[str, str]:
    """Where the offer to start from the learner's passing code of the step
    before posts, and that step's title; ("", "") when there is none."""
    if not exercise.continues_from or not isinstance(user, User):
        return "", ""
    previous = Exercise.objects.filter(course=exercise.course_id, slug=exercise.continues_from)
    passed = ExerciseProgress.objects.filter(user=user, exercise__in=previous, completed=True)
    title = passed.values_list("exercise__title", flat=True).first()
    if title is None:
        return "", ""
    url = reverse("grader:exercise_continue", kwargs={"exercise_slug": exercise.slug})
    return url, title
