"""The admin: a back office for staff to find and fix posts, not the blog itself.

Register Post here with a ModelAdmin.
"""

from django.contrib import admin  # noqa: F401
