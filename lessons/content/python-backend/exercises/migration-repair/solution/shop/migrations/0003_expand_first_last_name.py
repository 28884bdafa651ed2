# Expand: add first_name and last_name as nullable columns, so that the code
# still running (which knows only full_name) can go on inserting customers.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0002_remove_customer_name_customer_full_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="first_name",
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name="customer",
            name="last_name",
            field=models.CharField(max_length=200, null=True, blank=True),
        ),
    ]
