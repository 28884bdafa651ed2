"""The blog's URLs, included by blogsite/urls.py at the site's root."""

from django.urls import path

from blog import views

app_name = "blog"

urlpatterns = [
    path("", views.post_list, name="post_list"),
    # Before <slug:slug>/, or "new" would be taken for a slug.
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<slug:slug>/", views.post_detail, name="post_detail"),
]
