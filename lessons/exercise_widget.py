"""What the exercise widget on a lesson page shows, and nothing more.

The template gets this whitelist rather than the Exercise itself, so the
hidden tests and the solution cannot reach the page by a slip in a template.
"""

from dataclasses import dataclass

from django.urls import reverse

from lessons.markdown_render import code_render, markdown_render
from lessons.models import Exercise


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
    hints_html: list[str]
    files: list[WidgetFile]
    visible_tests: list[WidgetTestFile]
    test_count: int
    hidden_test_count: int
    max_score: float
    submit_url: str


def exercise_submit_url(*, slug: str) -> str:
    # The grader's API owns this path: POST /exercises/<slug>/submissions/.
    return reverse("grader:submission_create", kwargs={"exercise_slug": slug})


def exercise_widget(*, exercise: Exercise) -> ExerciseWidget:
    starter = exercise.starter_files
    files = [
        WidgetFile(name=name, text=starter.get(name, ""), element_id=f"ex-{exercise.slug}-f{index}")
        for index, name in enumerate(exercise.accepted_files)
    ]
    visible_tests = [
        WidgetTestFile(name=f"tests/{name}", html=code_render(text, filename=name))
        for name, text in sorted(exercise.visible_test_files.items())
    ]
    return ExerciseWidget(
        slug=exercise.slug,
        title=exercise.title,
        instructions_html=exercise.instructions_html,
        hints_html=[markdown_render(hint, smart=True).html for hint in exercise.hints],
        files=files,
        visible_tests=visible_tests,
        test_count=len(exercise.tests),
        hidden_test_count=sum(1 for test in exercise.tests if test["visibility"] == "hidden"),
        max_score=exercise.max_score,
        submit_url=exercise_submit_url(slug=exercise.slug),
    )
