"""Learner state, moved here from lessons (lessons/migrations/0006)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_types_follow(apps, schema_editor):
    """Permissions and admin log entries of the moved models keep pointing at them."""
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(
        app_label="lessons", model__in=["draft", "exerciseprogress", "lessonvisit"]
    ).update(app_label="learning")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("lessons", "0006_learner_state_moves_to_learning"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already: lessons' 0006 renamed them to these names.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Draft",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("files", models.JSONField(default=dict)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "exercise",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="drafts",
                                to="lessons.exercise",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="drafts",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "exercise"), name="one_draft_per_exercise"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ExerciseProgress",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("failed_attempts", models.PositiveIntegerField(default=0)),
                        ("best_score", models.FloatField(default=0)),
                        ("max_score", models.FloatField(default=0)),
                        ("completed", models.BooleanField(default=False)),
                        ("hints_revealed", models.PositiveSmallIntegerField(default=0)),
                        ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "exercise",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="progress",
                                to="lessons.exercise",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="exercise_progress",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "exercise"), name="one_progress_per_exercise"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="LessonVisit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("first_visited_at", models.DateTimeField(auto_now_add=True)),
                        ("last_visited_at", models.DateTimeField(auto_now=True)),
                        (
                            "lesson",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="visits",
                                to="lessons.lesson",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lesson_visits",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "lesson"), name="one_visit_per_lesson"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, migrations.RunPython.noop),
    ]
