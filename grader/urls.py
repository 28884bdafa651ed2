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
        "exercises/<slug:exercise_slug>/submissions/latest/",
        views.submission_latest_view,
        name="submission_latest",
    ),
    path(
        "submissions/<uuid:submission_id>/", views.submission_detail_view, name="submission_detail"
    ),
    path(
        "submissions/<uuid:submission_id>/cancel/",
        views.submission_cancel_view,
        name="submission_cancel",
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
    path(
        "exercises/<slug:exercise_slug>/history/<uuid:submission_id>/load/",
        views.exercise_history_load,
        name="exercise_history_load",
    ),
    path(
        "exercises/<slug:exercise_slug>/history/compare/",
        views.exercise_history_compare,
        name="exercise_history_compare",
    ),
    path(
        "exercises/<slug:exercise_slug>/continue/",
        views.exercise_continue,
        name="exercise_continue",
    ),
    path("healthz", views.healthz_view, name="healthz"),
    path("metrics", views.metrics_view, name="metrics"),
]
