from django.urls import path

from lessons import views

app_name = "lessons"

urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("courses/<slug:course_slug>/", views.course, name="course"),
    path("courses/<slug:course_slug>/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path("author/version/", views.author_version, name="author_version"),
]
