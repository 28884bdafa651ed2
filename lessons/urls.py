from django.urls import path

from lessons import views

app_name = "lessons"

urlpatterns = [
    path("author/version/", views.author_version, name="author_version"),
]
