"""The project's URLs: the admin, the accounts views Django ships, and the blog app."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # login/, logout/, password_change/...: django.contrib.auth's own views.
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("blog.urls")),
]
