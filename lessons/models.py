"""Courses as loaded from lessons/content/: the database copy is what the site
and the grader read, so grading workers on other hosts need no shared disk."""

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from sandboxes.harness import HarnessMode


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    # Who teaches it: they may submit on a learner's behalf through the API
    # (docs/api.md). Set in the admin; the content loader leaves it alone.
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="courses_taught"
    )

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:course", kwargs={"course_slug": self.slug})


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="module_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body_html = models.TextField()
    toc_html = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    source_path = models.CharField(max_length=500, blank=True)
    # Its check-yourself questions with their answer key, in page order
    # (lessons/questions.py); never sent to the page as such.
    questions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["module__order", "order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "learning:lesson", kwargs={"course_slug": self.course.slug, "lesson_slug": self.slug}
        )


class Exercise(models.Model):
    """A graded exercise. Its files are stored as {relative name: text} maps.

    `tests` is the grader's own list of what it expects to hear about, derived
    from the test files when the content is loaded, in file order:
    [{"name", "file", "points", "visibility": "visible"|"hidden", "feedback"}].
    """

    slug = models.SlugField(unique=True)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exercises")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="exercises"
    )
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    instructions_html = models.TextField(blank=True)
    # Names a learner may submit; the starter files are a subset of these.
    accepted_files = models.JSONField(default=list)
    starter_files = models.JSONField(default=dict)
    solution_files = models.JSONField(default=dict)
    visible_test_files = models.JSONField(default=dict)
    hidden_test_files = models.JSONField(default=dict)
    tests = models.JSONField(default=list)
    # Overrides of the sandbox defaults, e.g. {"wall_seconds": 5}.
    limits = models.JSONField(default=dict)
    # sandboxes.harness.HarnessMode as a dict: how the tests reach the learner's code.
    harness = models.JSONField(default=dict)
    hints = models.JSONField(default=list)
    # Whether a learner who passed may see solution_files (front matter `show_solution`).
    solution_shown_after_pass = models.BooleanField(default=True)
    # The slug of the exercise this one is the next step of (front matter
    # `continues`): a learner who passed it may start this one from that code.
    continues_from = models.SlugField(blank=True)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title

    @property
    def max_score(self) -> float:
        return float(sum(test["points"] for test in self.tests))

    @property
    def is_web(self) -> bool:
        """A web exercise: its tests talk to the learner's app over HTTP."""
        return HarnessMode.from_dict(self.harness).mode == "http"

    def test_spec(self, name: str) -> dict[str, Any] | None:
        for test in self.tests:
            if test["name"] == name:
                return dict(test)
        return None
