from django.urls import path

from grader import views

app_name = "grader"

urlpatterns = [
    path(
        "exercises/<slug:exercise_slug>/submissions/",
        views.submission_create_view,
        name="submission_create",
    ),
    path(
        "submissions/<uuid:submission_id>/", views.submission_detail_view, name="submission_detail"
    ),
    path(
        "exercises/<slug:exercise_slug>/history/",
        views.exercise_history,
        name="exercise_history",
    ),
    path(
        "exercises/<slug:exercise_slug>/history/<uuid:submission_id>/",
        views.exercise_history_detail,
        name="exercise_history_detail",
    ),
    path("healthz", views.healthz_view, name="healthz"),
    path("metrics", views.metrics_view, name="metrics"),
]
