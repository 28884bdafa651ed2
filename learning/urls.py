from django.urls import path

from learning import exercise_endpoints, views

app_name = "learning"

urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("courses/<slug:course_slug>/", views.course, name="course"),
    path("courses/<slug:course_slug>/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path(
        "exercises/<slug:exercise_slug>/draft/",
        exercise_endpoints.exercise_draft,
        name="exercise_draft",
    ),
    path(
        "exercises/<slug:exercise_slug>/hints/",
        exercise_endpoints.exercise_hints,
        name="exercise_hints",
    ),
]
