"""Learner state (progress, drafts, visits) moves to the learning app. The rows
stay: the tables are renamed, and the models leave this app's state only;
learning's 0001 takes them up."""

from django.db import migrations

MOVED = ["Draft", "ExerciseProgress", "LessonVisit"]


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0005_exercise_harness"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=name, table=f"learning_{name.lower()}")
                for name in MOVED
            ],
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
        ),
    ]
