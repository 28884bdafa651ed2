"""Courses as loaded from lessons/content/: the database copy is what the site
and the grader read, so grading workers on other hosts need no shared disk."""

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
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
        return reverse("lessons:course", kwargs={"course_slug": self.slug})


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

    class Meta:
        ordering = ["module__order", "order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "lessons:lesson", kwargs={"course_slug": self.course.slug, "lesson_slug": self.slug}
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
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title

    @property
    def max_score(self) -> float:
        return float(sum(test["points"] for test in self.tests))

    def test_spec(self, name: str) -> dict[str, Any] | None:
        for test in self.tests:
            if test["name"] == name:
                return dict(test)
        return None


class ExerciseProgress(models.Model):
    """A learner's standing on one exercise: graded attempts (Submit, not Run),
    their best score, and how many hints they have revealed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_progress"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="progress")
    attempts = models.PositiveIntegerField(default=0)
    failed_attempts = models.PositiveIntegerField(default=0)
    best_score = models.FloatField(default=0)
    max_score = models.FloatField(default=0)
    completed = models.BooleanField(default=False)
    hints_revealed = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "exercise"], name="one_progress_per_exercise")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.exercise.slug}: {self.best_score:g}/{self.max_score:g}"


class Draft(models.Model):
    """The code a learner is writing for an exercise, saved as they type so that
    it is there when they come back. One per learner and exercise; only its
    learner ever reads or writes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="drafts")
    files = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "exercise"], name="one_draft_per_exercise")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.exercise.slug} ({self.updated_at:%Y-%m-%d %H:%M})"


class LessonVisit(models.Model):
    """A learner opened a lesson: what marks a lesson without exercises done,
    and one with exercises started."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_visits"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="visits")
    first_visited_at = models.DateTimeField(auto_now_add=True)
    last_visited_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_visit_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.lesson.slug}"
