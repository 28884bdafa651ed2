import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from api.websocket_auth import token_or_session_auth  # noqa: E402
from grader.inline import grader_started_with_server  # noqa: E402
from grader.routing import websocket_urlpatterns  # noqa: E402

application = grader_started_with_server(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            # A session (origin checked) or an API token (docs/api.md).
            "websocket": token_or_session_auth(URLRouter(websocket_urlpatterns)),
        }
    )
)
