from django.urls import path

from classes import views

app_name = "classes"

CLASS = "teach/classes/<int:classroom_id>/"

urlpatterns = [
    path("teach/", views.teach, name="teach"),
    path(CLASS, views.classroom, name="classroom"),
    path(f"{CLASS}joining/", views.joining, name="joining"),
    path(f"{CLASS}instructors/", views.instructor_add, name="instructor_add"),
    path(f"{CLASS}learners/<int:user_id>/remove/", views.learner_remove, name="learner_remove"),
    path(f"{CLASS}due-dates/", views.due_date_set, name="due_date_set"),
    path(f"{CLASS}extensions/", views.extension_set, name="extension_set"),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join_code, name="join_code"),
]
