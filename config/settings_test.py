"""Settings for the test suite: fast hashing, no grader started behind the tests' back."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
GRADER_INLINE_AUTOSTART = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
if DATABASES["default"]["ENGINE"] == "config.sqlite_backend":
    # A file, not memory, so that a Daphne process started by a test sees the same
    # data; LECTERN_TEST_DB gives a second run in the same tree a file of its own.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("LECTERN_TEST_DB", str(BASE_DIR / "build" / "test-db.sqlite3"))
    }
# The test process's own cache stays in memory: clearing it between tests must
# never flush the Redis that holds the scaled run's channel layer and broker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The limit tests set their own; elsewhere one learner may submit as often as a test needs.
SUBMISSIONS_ACTIVE_PER_USER = 100
SUBMISSIONS_PER_MINUTE = 1000
