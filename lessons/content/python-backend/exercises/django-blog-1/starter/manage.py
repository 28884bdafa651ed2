#!/usr/bin/env python
"""Django's command-line tool for this project: `python manage.py migrate`,
`python manage.py makemigrations blog`, `python manage.py test blog`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
