"""Django test clients as a given user would browse."""

from django.contrib.auth.models import User
from django.test import Client


def logged_in(user: User, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client
