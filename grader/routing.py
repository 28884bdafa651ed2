from django.urls import path

from grader.consumers import SubmissionConsumer

websocket_urlpatterns = [
    path("ws/submissions/<str:submission_id>/", SubmissionConsumer.as_asgi()),
]
