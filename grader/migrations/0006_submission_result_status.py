from django.db import migrations


class Migration(migrations.Migration):
    """`verdict` held the result's status, not its verdict: named for what it holds."""

    dependencies = [("grader", "0005_submission_dispatched_at")]

    operations = [
        migrations.RenameField(
            model_name="submission", old_name="verdict", new_name="result_status"
        ),
    ]
