"""Course.content_hash and Exercise.content_hash were written by the loader
and never read: it compares each field to decide what changed."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0006_learner_state_moves_to_learning"),
    ]

    operations = [
        migrations.RemoveField(model_name="course", name="content_hash"),
        migrations.RemoveField(model_name="exercise", name="content_hash"),
    ]
