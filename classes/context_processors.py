"""The site header's "Teach" link, for the users who teach a course or a class."""

from collections.abc import Callable
from functools import partial

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

from classes.selectors import classes_taught
from lessons.models import Course


def _teaches(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return Course.objects.filter(instructors=user).exists() or classes_taught(user=user).exists()


def teaching_links(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    # A callable, which the template calls only where it asks: a page that does
    # not show the header costs no query.
    return {"nav_teaches": partial(_teaches, request.user)}
