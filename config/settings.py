"""Lectern settings. Everything that varies between machines comes from the
environment through config.env; the defaults run on one machine with SQLite,
the in-memory channel layer and the in-process grader."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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
    "classes",
    "learning",
    "grader",
    "teaching",
    "sandboxes",
    # The HTTP API (docs/api.md); "ninja" serves its Swagger UI files as static files.
    "ninja",
    "api",
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
    # Times in the learner's time zone, from the cookie frontend/site.js sets.
    "config.time_zone.TimeZoneMiddleware",
    # JSON errors for whatever under /api/ Django answers itself (404, 405, 500).
    "api.middleware.ApiJsonErrorsMiddleware",
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
# Probes and Prometheus reach a web process directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
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
                "classes.context_processors.teaching_links",
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
LOGIN_REDIRECT_URL = "learning:course_list"
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
REDIS_READ_TIMEOUT_SECONDS = 30
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 gives up on a read after 5 s by default, the same 5 s
                # that channels_redis's blocking pop waits for a message: an idle
                # WebSocket then dies with "Timeout reading from …" whenever the
                # client gives up first. A read waits longer than the pop can.
                "hosts": [{"address": REDIS_URL, "socket_timeout": REDIS_READ_TIMEOUT_SECONDS}],
            },
        }
    }
    # Shared by every web process, so that the limit on password sign-ins
    # (accounts/services.py) counts one client's guesses across all of them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Sites (or test servers) sharing one Redis keep their counts apart.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "lectern"),
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
# "Try your API": how long a learner's app is served for requests from the page.
TRY_SESSION_SECONDS = env_int("TRY_SESSION_SECONDS", 60, minimum=1)

# --- Grader ------------------------------------------------------------------
# inline: a bounded pool of grading workers inside the web process (one machine).
# celery: Celery workers on any number of hosts, Redis as the broker (docs/deploy.md).
GRADER_BACKEND = env_choice("GRADER_BACKEND", "inline", ("inline", "celery"))
# Gradings the in-process grader runs at once: more than the machine has cores,
# so that learners' infinite loops ahead in the queue (each held to its CPU
# limit until its wall limit) do not hold up everyone behind them.
GRADER_WORKERS = env_int("GRADER_WORKERS", max(4, 2 * (os.cpu_count() or 1)), minimum=1)
# Start the inline pool with the server; tests start their own.
GRADER_INLINE_AUTOSTART = env_bool("GRADER_INLINE_AUTOSTART", True)
# How often idle workers look for queued work they were not told about, and
# how long a grading may go without a heartbeat before it counts as abandoned.
GRADER_POLL_SECONDS = env_float("GRADER_POLL_SECONDS", 2.0, minimum=0.05)
GRADER_LEASE_SECONDS = env_float("GRADER_LEASE_SECONDS", 30.0, minimum=1.0)
# A submission is graded at most this many times (the first try plus retries
# after a crashed worker) before it is failed with an infrastructure error.
GRADER_MAX_ATTEMPTS = env_int("GRADER_MAX_ATTEMPTS", 2, minimum=1)

# --- Celery workers (GRADER_BACKEND=celery; config/celery.py, docs/deploy.md) -----
# Gradings one worker process runs at once (its prefork pool size).
GRADER_WORKER_CONCURRENCY = env_int("GRADER_WORKER_CONCURRENCY", 2, minimum=1)
# How often every worker runs the periodic jobs (grader/periodic.py): recover
# abandoned gradings, re-dispatch lost tasks, deliver callbacks; and how long a
# submission may sit queued, with nothing waiting in the broker, before its
# task counts as lost and it is dispatched again.
GRADER_SWEEP_SECONDS = env_float("GRADER_SWEEP_SECONDS", 10.0, minimum=0.1)
GRADER_REDISPATCH_SECONDS = env_float("GRADER_REDISPATCH_SECONDS", 60.0, minimum=0.1)
GRADER_PRUNE_SECONDS = env_float("GRADER_PRUNE_SECONDS", 300.0, minimum=1.0)
GRADER_QUEUE = env_str("GRADER_QUEUE", "grading")
# Regrades' own queue (grader/regrades.py): workers read it after GRADER_QUEUE.
GRADER_REGRADE_QUEUE = env_str("GRADER_REGRADE_QUEUE", "grading-regrade")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
if GRADER_BACKEND == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("GRADER_BACKEND=celery needs REDIS_URL (or CELERY_BROKER_URL).")
CELERY_TASK_DEFAULT_QUEUE = GRADER_QUEUE
# Acknowledged when the grading is over, so a task whose worker dies is delivered
# again; the database claim keeps the second delivery from grading twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CONCURRENCY = GRADER_WORKER_CONCURRENCY
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that cannot reach the broker gives up quickly: the submission is
# stored, and the workers' sweep dispatches it again (grader/periodic.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}
# Redis hands an unacknowledged task to another worker after this many seconds.
# It must exceed the longest grading, or a slow grading would be delivered twice
# (harmless, the claim refuses it, but wasteful).
GRADER_VISIBILITY_TIMEOUT = env_float("GRADER_VISIBILITY_TIMEOUT", 3600.0, minimum=1.0)
# /metrics (Prometheus): when set, scrapers must send "Authorization: Bearer <token>".
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": GRADER_VISIBILITY_TIMEOUT,
    "socket_timeout": 5.0,
    "socket_connect_timeout": 2.0,
    # A worker that reads several queues (-Q grading,grading-regrade) takes from
    # the first non-empty one in that order: live submissions before regrades.
    "queue_order_strategy": "priority",
}

# --- HTTP API (docs/api.md) ------------------------------------------------------
# Callbacks: the result is POSTed to a submission's callback_url when grading ends,
# tried CALLBACK_MAX_ATTEMPTS times, waiting CALLBACK_RETRY_BASE_SECONDS, then twice
# as long after each failure (15 s, 30 s, ... : 6 tries over about 8 minutes).
# Hosts on private, loopback or link-local addresses are refused unless allowed.
CALLBACKS_ALLOW_PRIVATE = env_bool("CALLBACKS_ALLOW_PRIVATE", False)
CALLBACK_MAX_ATTEMPTS = env_int("CALLBACK_MAX_ATTEMPTS", 6, minimum=1)
CALLBACK_RETRY_BASE_SECONDS = env_float("CALLBACK_RETRY_BASE_SECONDS", 15.0, minimum=0.001)
CALLBACK_TIMEOUT_SECONDS = env_float("CALLBACK_TIMEOUT_SECONDS", 10.0, minimum=0.1)
# How often the in-process grader looks for callbacks that are due.
CALLBACK_POLL_SECONDS = env_float("CALLBACK_POLL_SECONDS", 2.0, minimum=0.05)
# How long an Idempotency-Key is remembered.
API_IDEMPOTENCY_HOURS = env_int("API_IDEMPOTENCY_HOURS", 24, minimum=1)

# --- Sandbox -----------------------------------------------------------------
SANDBOX_IMAGE = env_str("SANDBOX_IMAGE", "lectern-sandbox:latest")
# The engine's OCI runtime for sandboxes: "" for its default (runc), "runsc" for gVisor.
SANDBOX_RUNTIME = env_str("SANDBOX_RUNTIME", "")
# Containers each grading process keeps started ahead of their job
# (docs/sandbox.md, "The pool"): by default one per grading it may run at once
# (two for a Celery worker process, which grades one at a time, so that the
# next is ready while the last is replaced); 0 turns the pool off. One that has
# waited SANDBOX_POOL_MAX_AGE_SECONDS is replaced.
SANDBOX_POOL_SIZE = env_int(
    "SANDBOX_POOL_SIZE", GRADER_WORKERS if GRADER_BACKEND == "inline" else 2, minimum=0
)
SANDBOX_POOL_MAX_AGE_SECONDS = env_float("SANDBOX_POOL_MAX_AGE_SECONDS", 300.0, minimum=1.0)
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
if SANDBOX_MAX_LIMITS["wall_seconds"] + 60 >= GRADER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "GRADER_VISIBILITY_TIMEOUT must exceed the longest grading "
        f"(SANDBOX_MAX_WALL_SECONDS + 60 s = {SANDBOX_MAX_LIMITS['wall_seconds'] + 60} s)."
    )
