# Contract: every row has them now, and the code writes them, so first_name
# and last_name become NOT NULL.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0004_backfill_first_last_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="first_name",
            field=models.CharField(max_length=200),
        ),
        migrations.AlterField(
            model_name="customer",
            name="last_name",
            field=models.CharField(max_length=200, blank=True),
        ),
    ]
