"""The blog's data: one table of posts.

Write the Post model here (see the instructions for its fields), then its
migration in migrations/0001_initial.py.
"""

from django.conf import settings  # noqa: F401 - settings.AUTH_USER_MODEL names the user model
from django.db import models  # noqa: F401
