from django.urls import path

from learning import exercise_endpoints, question_endpoints, views

app_name = "learning"

urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("courses/<slug:course_slug>/", views.course, name="course"),
    path("courses/<slug:course_slug>/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/done/",
        views.lesson_done,
        name="lesson_done",
    ),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/exercises/<slug:exercise_slug>/",
        views.exercise,
        name="exercise",
    ),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/questions/<slug:question_id>/",
        question_endpoints.question_answer,
        name="question_answer",
    ),
    path(
        "exercises/<slug:exercise_slug>/draft/",
        exercise_endpoints.exercise_draft,
        name="exercise_draft",
    ),
    path(
        "exercises/<slug:exercise_slug>/solution/",
        exercise_endpoints.exercise_solution,
        name="exercise_solution",
    ),
    path(
        "exercises/<slug:exercise_slug>/hints/",
        exercise_endpoints.exercise_hints,
        name="exercise_hints",
    ),
]
