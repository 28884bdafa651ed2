"""The posts table. Write the operations that create it, as
`python manage.py makemigrations blog` would (you may run it and read what
it writes)."""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = []
