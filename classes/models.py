"""Classes: a group of learners taking a course with their instructors, and
what is set for them: due dates, per-learner extensions, and scores an
instructor set by hand (docs/instructors.md).

Content reloads update modules and exercises in place, so these survive them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lessons.models import Course, Exercise, Module

# One of a module or an exercise, never both: what a due date is for.
_ONE_TARGET = Q(module__isnull=False, exercise__isnull=True) | Q(
    module__isnull=True, exercise__isnull=False
)


class Classroom(models.Model):
    """A class of a course. Its learners join with its code, or the invite link
    that carries it, while joining is open. Only its instructors see its learners."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="classrooms")
    name = models.CharField(max_length=200)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # Short and unambiguous, to be read out in a room (classes.services.JOIN_CODE_ALPHABET).
    join_code = models.CharField(max_length=12, unique=True)
    joining_open = models.BooleanField(default=True)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="classes_taught")
    learners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="classes_joined"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="classes_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.course.slug})"


class Membership(models.Model):
    """A learner in a class."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "user"], name="one_membership_per_class")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.classroom}"


class Deadline(models.Model):
    """When a module's or an exercise's work is due for a class. An exercise's
    own due date wins over its module's."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="deadlines")
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    due_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="deadline_for_one_thing"),
            models.UniqueConstraint(
                fields=["classroom", "module"],
                condition=Q(module__isnull=False),
                name="one_deadline_per_module",
            ),
            models.UniqueConstraint(
                fields=["classroom", "exercise"],
                condition=Q(exercise__isnull=False),
                name="one_deadline_per_exercise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module or self.exercise} due {self.due_at:%Y-%m-%d %H:%M}"


class Extension(models.Model):
    """A later due date for one learner of a class, for a module or an exercise.
    It wins over the class's due dates; an exercise's wins over its module's."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="extensions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions"
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, null=True, blank=True, related_name="extensions"
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, null=True, blank=True, related_name="extensions"
    )
    due_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="extensions_granted",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="extension_for_one_thing"),
            models.UniqueConstraint(
                fields=["classroom", "user", "module"],
                condition=Q(module__isnull=False),
                name="one_extension_per_module",
            ),
            models.UniqueConstraint(
                fields=["classroom", "user", "exercise"],
                condition=Q(exercise__isnull=False),
                name="one_extension_per_exercise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.module or self.exercise} due {self.due_at:%Y-%m-%d %H:%M}"


class ScoreOverride(models.Model):
    """A score an instructor set by hand for one learner of a class on one
    exercise, with the reason. Never changed or deleted: the newest one counts,
    the older ones and the graded score stay visible."""

    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, related_name="score_overrides"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="score_overrides"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="score_overrides")
    score = models.FloatField()
    reason = models.TextField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="score_overrides_set",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} on {self.exercise.slug}: {self.score:g} ({self.classroom.name})"
