"""Log in, see who you are, log out: Django's session login as a JSON API, in one module."""

import functools
import os

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "insecure-key-for-local-use-only"),
    ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"],
    ROOT_URLCONF=__name__,
    APPEND_SLASH=False,
    # auth needs contenttypes (for its permissions); sessions stores sessions in the database.
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "django.contrib.sessions",
    ],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        # Sets request.user from the session, on every request.
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    # One SQLite database in memory, shared by every thread of the server. A plain
    # ":memory:" would give each thread a database of its own, without the tables.
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": "file:session-login?mode=memory&cache=shared",
        }
    },
    # Sessions live in the database (Django's default engine): logging out deletes
    # the row, so a copied cookie stops working at once.
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    # JavaScript cannot read the cookie, and the browser leaves it off requests
    # that other sites start (except top-level links, with Lax).
    SESSION_COOKIE_HTTPONLY=True,
    SESSION_COOKIE_SAMESITE="Lax",
    # Behind HTTPS, also SESSION_COOKIE_SECURE=True and CSRF_COOKIE_SECURE=True;
    # the tests speak plain HTTP, so a Secure cookie would never come back here.
    SESSION_COOKIE_AGE=8 * 60 * 60,
    # The CSRF token is kept in the session, so every visitor has a session
    # before logging in: the one an attacker could try to plant on a victim.
    CSRF_USE_SESSIONS=True,
)
django.setup()

from django.contrib.auth import authenticate, login, logout  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.middleware.csrf import get_token  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_POST, require_safe  # noqa: E402

# Create the tables of the installed apps, then the one account. Its password,
# analytical-engine-1843, is stored as Django's PBKDF2 hash of it (what
# make_password returns), as a fixture would hold it: hashing it again at every
# start would cost half a second.
call_command("migrate", verbosity=0)
User.objects.create(
    username="ada",
    password="pbkdf2_sha256$1000000$WvNn0UtoliEEvKFbAr5zPs$hwhNa04+Oz6yOOjqcjGhpKFY7tf2WDTCyseAKwg8SG8=",
)


def api_login_required(view):
    """login_required for a JSON API: 401 with a JSON body instead of a redirect."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "Log in first."}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
def csrf(request):
    return JsonResponse({"csrf_token": get_token(request)})


@require_POST
def login_view(request):
    # authenticate() checks the password against the stored hash and answers None
    # for an unknown user and for a wrong password alike.
    user = authenticate(
        request,
        username=request.POST.get("username", ""),
        password=request.POST.get("password", ""),
    )
    if user is None:
        return JsonResponse({"detail": "Wrong username or password."}, status=401)
    # login() gives the session a new id (the old one stops working), stores the
    # user's id in it, and rotates the CSRF token.
    login(request, user)
    return JsonResponse({"username": user.get_username()})


@require_POST
def logout_view(request):
    # logout() deletes the session on the server, not only the cookie in the browser.
    logout(request)
    return JsonResponse({"detail": "Logged out."})


@require_safe
@api_login_required
def me(request):
    return JsonResponse({"username": request.user.get_username()})


urlpatterns = [
    path("csrf", csrf),
    path("login", login_view),
    path("logout", logout_view),
    path("me", me),
]

application = get_wsgi_application()
