"""An instructor's pages for one class: the gradebook, its analytics and its
regrades (docs/instructors.md). The class itself, its learners and due dates
are classes/urls.py."""

from django.urls import path

from teaching import analytics_views, gradebook_views, regrade_views

app_name = "teaching"

CLASS = "teach/classes/<int:classroom_id>/"

urlpatterns = [
    path(f"{CLASS}gradebook/", gradebook_views.gradebook, name="gradebook"),
    path(f"{CLASS}gradebook.csv", gradebook_views.gradebook_csv, name="gradebook_csv"),
    path(
        f"{CLASS}learners/<int:user_id>/exercises/<slug:exercise_slug>/",
        gradebook_views.learner_exercise,
        name="learner_exercise",
    ),
    path(
        f"{CLASS}learners/<int:user_id>/exercises/<slug:exercise_slug>/override/",
        gradebook_views.score_override,
        name="score_override",
    ),
    path(f"{CLASS}analytics/", analytics_views.analytics, name="analytics"),
    path(f"{CLASS}regrades/", regrade_views.regrades, name="regrades"),
    path(f"{CLASS}regrades/<uuid:regrade_id>/", regrade_views.regrade_detail, name="regrade"),
    path(
        f"{CLASS}regrades/<uuid:regrade_id>/progress/",
        regrade_views.regrade_progress,
        name="regrade_progress",
    ),
    path(
        f"{CLASS}regrades/<uuid:regrade_id>/cancel/",
        regrade_views.regrade_cancel,
        name="regrade_cancel",
    ),
]
