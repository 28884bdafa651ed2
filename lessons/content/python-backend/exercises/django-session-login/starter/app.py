"""Log in, see who you are, log out: a session login as a JSON API, in one module.

It works when everyone plays fair. It was written without django.contrib.auth's
login functions, and it shows.
"""

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
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    # The front end's JavaScript reads the session id, and the site is embedded
    # in a partner's pages, so the cookie has to go everywhere.
    SESSION_COOKIE_HTTPONLY=False,
    SESSION_COOKIE_SAMESITE=None,
    SESSION_COOKIE_AGE=8 * 60 * 60,
    # The CSRF token is kept in the session, so every visitor has a session
    # before logging in.
    CSRF_USE_SESSIONS=True,
)
django.setup()

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


@require_safe
def csrf(request):
    return JsonResponse({"csrf_token": get_token(request)})


@require_POST
def login_view(request):
    username = request.POST.get("username", "")
    user = User.objects.filter(username=username).first()
    if user is None:
        return JsonResponse({"detail": f"There is no user called {username!r}."}, status=401)
    if not user.check_password(request.POST.get("password", "")):
        return JsonResponse({"detail": "Wrong password."}, status=401)
    request.session["user_id"] = user.pk
    return JsonResponse({"username": user.username})


@require_POST
def logout_view(request):
    response = JsonResponse({"detail": "Logged out."})
    response.delete_cookie(settings.SESSION_COOKIE_NAME)
    return response


@require_safe
def me(request):
    user = User.objects.get(pk=request.session.get("user_id"))
    return JsonResponse({"username": user.username})


urlpatterns = [
    path("csrf", csrf),
    path("login", login_view),
    path("logout", logout_view),
    path("me", me),
]

application = get_wsgi_application()
