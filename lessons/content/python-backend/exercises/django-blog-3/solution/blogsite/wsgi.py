"""The WSGI entry point a server imports: `blogsite.wsgi:application`.

The database is a new SQLite file, so at start the app brings it up to date
with the migrations, as a deploy would run `manage.py migrate` before the new
code takes traffic, and adds the demo accounts.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")

application = get_wsgi_application()

from django.core.management import call_command  # noqa: E402

from blogsite.demo import create_demo_accounts  # noqa: E402

call_command("migrate", interactive=False, verbosity=0)
create_demo_accounts()
