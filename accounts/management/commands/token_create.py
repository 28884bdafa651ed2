"""python manage.py token_create USERNAME [--name N] [--expires DAYS] [--scope S]...

For operators: makes an API token for a user without a browser (a CI account,
a bot) and prints it once on stdout, alone, so that `TOKEN=$(... token_create ci)`
works; what it is, and its signing secret, go to stderr. Exit status 2 with a
message for an unknown or inactive user, a bad scope or a non-positive expiry.
"""

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import ApiTokenInvalid, api_token_create

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Make an API token for a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="whose token it is")
        parser.add_argument(
            "--name", default="manage.py token_create", help="what uses it, e.g. 'course CI'"
        )
        # Read as text and checked in handle(), so that a bad value is a
        # CommandError with its own message, also when called from code.
        parser.add_argument(
            "--expires", metavar="DAYS", help="expires after DAYS days (default: never)"
        )
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            dest="scopes",
            help=f"a scope, repeatable; known: {', '.join(ApiToken.Scope.values)}",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"there is no user called {username!r}; create it first "
                "(manage.py createsuperuser, or the site's sign-up page).",
                returncode=USAGE_ERROR,
            )
        if not user.is_active:
            raise CommandError(
                f"the user {username!r} is inactive; a token would not work. Activate it in "
                "the admin first.",
                returncode=USAGE_ERROR,
            )
        unknown = [scope for scope in options["scopes"] if scope not in ApiToken.Scope.values]
        if unknown:
            raise CommandError(
                f"unknown scope {', '.join(map(repr, unknown))}; the scopes are: "
                f"{', '.join(ApiToken.Scope.values)}.",
                returncode=USAGE_ERROR,
            )
        expires_at = None
        if options["expires"] is not None:
            expires_at = timezone.now() + timedelta(days=_days(options["expires"]))
        try:
            created = api_token_create(
                user=user, name=options["name"], expires_at=expires_at, scopes=options["scopes"]
            )
        except ApiTokenInvalid as error:
            raise CommandError(error.message, returncode=USAGE_ERROR) from error
        token = created.token
        expiry = (
            f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC"
            if token.expires_at
            else "never expires"
        )
        scopes = f", scopes: {', '.join(token.scopes)}" if token.scopes else ""
        self.stderr.write(
            f"Token “{token.name}” of {user.get_username()}, {expiry}{scopes}. Shown once: "
            f"keep it now. Its callback signing secret: {created.signing_secret}"
        )
        self.stdout.write(created.raw_token)


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days <= 0:
        raise CommandError(
            f"--expires {text}: give a positive whole number of days, e.g. --expires 90 "
            "(or leave it out for a token that never expires).",
            returncode=USAGE_ERROR,
        )
    return days
