"""Lectern settings. Everything that varies between machines comes from the
environment through config.env; the defaults run on one machine with SQLite,
the in-memory channel layer and the in-process grader."""

from pathlib import Path

import dj_database_url

from config.env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
# A development key only when DEBUG is on; production must set its own.
SECRET_KEY = (
    env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key") if DEBUG else env_str("DJANGO_SECRET_KEY")
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "accounts",
    "lessons",
    "grader",
    "sandboxes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# --- HTTP security -------------------------------------------------------------
# DJANGO_HTTPS=1 when the site is served over HTTPS (as in production, usually
# behind a proxy that terminates TLS and sets X-Forwarded-Proto): cookies are
# then sent over HTTPS only, plain HTTP is redirected, and browsers are told
# to insist on HTTPS. `manage.py check --deploy` passes with it (tested).
HTTPS = env_bool("DJANGO_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", HTTPS)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# No inline scripts anywhere; styles may be inline (the code editor injects its
# own). 'self' covers the same-origin WebSocket in current browsers.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lessons.context_processors.author_mode",
                "accounts.context_processors.account_links",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The grader threads and the request threads write at the same time: WAL lets
    # readers go on during a write, IMMEDIATE makes writers queue instead of
    # failing, and the backend queues this process's writers (see its module).
    DATABASES["default"]["ENGINE"] = "config.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Accounts -----------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "lessons:course_list"
# Password reset mail. The console backend prints it in the server's log, so a
# single machine needs no mail server; EMAIL_BACKEND=django.core.mail.backends.
# filebased.EmailBackend writes one file per mail under EMAIL_FILE_PATH instead,
# and the smtp backend sends it through EMAIL_HOST (docs/learners.md).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "build" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Lectern <lectern@localhost>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "build" / "static"
# build/frontend: the editor bundle made by `make frontend` (docs/editor.md).
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "frontend"]
WHITENOISE_USE_FINDERS = DEBUG

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Course content -------------------------------------------------------
LESSONS_CONTENT_DIR = Path(env_str("LESSONS_CONTENT_DIR", str(BASE_DIR / "lessons" / "content")))
# Pages refresh themselves when the content is reloaded. `manage.py author`
# turns it on; it has no use in production.
LESSONS_AUTHOR_MODE = env_bool("LESSONS_AUTHOR_MODE", False)

# --- Submissions -------------------------------------------------------------
SUBMISSION_MAX_BYTES = env_int("SUBMISSION_MAX_BYTES", 256 * 1024, minimum=1)
SUBMISSION_MAX_FILES = env_int("SUBMISSION_MAX_FILES", 20, minimum=1)
# Per learner: submissions queued or being graded at once, and submissions a minute.
SUBMISSIONS_ACTIVE_PER_USER = env_int("SUBMISSIONS_ACTIVE_PER_USER", 3, minimum=1)
SUBMISSIONS_PER_MINUTE = env_int("SUBMISSIONS_PER_MINUTE", 20, minimum=1)

# --- Grader ------------------------------------------------------------------
# inline: a bounded pool of grading workers inside the web process (one machine).
GRADER_BACKEND = env_choice("GRADER_BACKEND", "inline", ("inline",))
GRADER_WORKERS = env_int("GRADER_WORKERS", 2, minimum=1)
# Start the inline pool with the server; tests start their own.
GRADER_INLINE_AUTOSTART = env_bool("GRADER_INLINE_AUTOSTART", True)
# How often idle workers look for queued work they were not told about, and
# how long a grading may go without a heartbeat before it counts as abandoned.
GRADER_POLL_SECONDS = env_float("GRADER_POLL_SECONDS", 2.0, minimum=0.05)
GRADER_LEASE_SECONDS = env_float("GRADER_LEASE_SECONDS", 30.0, minimum=1.0)
# A submission is graded at most this many times (the first try plus retries
# after a crashed worker) before it is failed with an infrastructure error.
GRADER_MAX_ATTEMPTS = env_int("GRADER_MAX_ATTEMPTS", 2, minimum=1)

# --- Sandbox -----------------------------------------------------------------
SANDBOX_IMAGE = env_str("SANDBOX_IMAGE", "lectern-sandbox:latest")
# The engine's OCI runtime for sandboxes: "" for its default (runc), "runsc" for gVisor.
SANDBOX_RUNTIME = env_str("SANDBOX_RUNTIME", "")
SANDBOX_DEFAULT_LIMITS = {
    "wall_seconds": env_float("SANDBOX_WALL_SECONDS", 10.0, minimum=1.0),
    "memory_mb": env_int("SANDBOX_MEMORY_MB", 256, minimum=32),
    "pids": env_int("SANDBOX_PIDS", 64, minimum=8),
    "cpus": env_float("SANDBOX_CPUS", 1.0, minimum=0.1),
    "output_kb": env_int("SANDBOX_OUTPUT_KB", 64, minimum=1),
}
SANDBOX_MAX_LIMITS = {
    "wall_seconds": env_float("SANDBOX_MAX_WALL_SECONDS", 60.0, minimum=1.0),
    "memory_mb": env_int("SANDBOX_MAX_MEMORY_MB", 1024, minimum=32),
    "pids": env_int("SANDBOX_MAX_PIDS", 256, minimum=8),
    "cpus": env_float("SANDBOX_MAX_CPUS", 2.0, minimum=0.1),
    "output_kb": env_int("SANDBOX_MAX_OUTPUT_KB", 1024, minimum=1),
}
