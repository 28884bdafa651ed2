#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # An environment that says nothing of a deployment is a developer's
    # checkout: `grade`, `lint_lessons` and `load_lessons` then run as under
    # `make run`. A deployment sets DJANGO_SECRET_KEY (and DJANGO_DEBUG=0), so
    # it stays strict, and Daphne and Celery, which do not start here, refuse
    # to run without a key whatever the environment.
    if "DJANGO_DEBUG" not in os.environ and "DJANGO_SECRET_KEY" not in os.environ:
        os.environ["DJANGO_DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
