from django.urls import path

from grader.consumers import SubmissionConsumer
from grader.try_consumer import TryConsumer

websocket_urlpatterns = [
    path("ws/submissions/<str:submission_id>/", SubmissionConsumer.as_asgi()),
    path("ws/exercises/<slug:exercise_slug>/try/", TryConsumer.as_asgi()),
]
