"""Learner state: what each learner has done with the content in lessons/ —
progress on exercises, drafts, lesson visits, revealed hints. Content reloads
replace lessons' rows in place, so these survive them (docs/progress.md)."""

from django.conf import settings
from django.db import models

from lessons.models import Exercise, Lesson


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
    """A learner opened a lesson, which marks one with exercises started. A lesson
    without exercises is done (`done_at`) once its learner marks it so or reads
    to its end, not by being opened."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_visits"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="visits")
    first_visited_at = models.DateTimeField(auto_now_add=True)
    last_visited_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_visit_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.lesson.slug}"


class QuestionAnswer(models.Model):
    """A learner's last answer to one check-yourself question of a lesson. Keyed
    by the question's id, which the author writes, so a content reload (which
    updates the lesson in place) keeps it (learning/questions.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_answers"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="question_answers")
    question_id = models.CharField(max_length=50)
    # The chosen choices' positions (multiple choice) or the text typed (short answer).
    choices = models.JSONField(default=list)
    text = models.CharField(max_length=200, blank=True)
    # As graded when answered; pages grade again against the current key.
    correct = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "question_id"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.lesson.slug}#{self.question_id}"
