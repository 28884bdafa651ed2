# Backfill: fill first_name and last_name from full_name, for every customer,
# a batch of rows at a time so that a big table is never loaded whole.

from django.db import migrations

BATCH_SIZE = 500


def split_name(full_name):
    """The first word, and the rest without the spaces around it."""
    parts = full_name.strip().split(maxsplit=1)
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "")


def fill_first_last_name(apps, schema_editor):
    # The model as this migration sees it, not the one in models.py, which
    # may have moved on by the time this runs.
    Customer = apps.get_model("shop", "Customer")
    customers = Customer.objects.using(schema_editor.connection.alias)
    last_id = 0
    while batch := list(customers.filter(id__gt=last_id).order_by("id")[:BATCH_SIZE]):
        for customer in batch:
            customer.first_name, customer.last_name = split_name(customer.full_name)
        customers.bulk_update(batch, ["first_name", "last_name"])
        last_id = batch[-1].id


def clear_first_last_name(apps, schema_editor):
    # Back at 0003 the columns are nullable and nothing reads them yet; empty
    # them, so that filling them again starts from full_name as it is then.
    Customer = apps.get_model("shop", "Customer")
    Customer.objects.using(schema_editor.connection.alias).update(first_name=None, last_name=None)


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_expand_first_last_name"),
    ]

    operations = [
        migrations.RunPython(fill_first_last_name, clear_first_last_name),
    ]
