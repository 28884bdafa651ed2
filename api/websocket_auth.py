"""WebSocket authentication for API clients: `Authorization: Bearer <token>` on
the handshake.

A browser cannot put an Authorization header on a WebSocket, and a token is not
sent by the browser on its own the way a cookie is, so a handshake that carries
one cannot be a cross-site request: it skips the Origin check, which lets
command-line clients (that send no Origin) connect. Everything else goes on
through the session stack and its Origin check, as before.
"""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator

from accounts.models import ApiToken
from accounts.services import ApiTokenRejected, api_token_authenticate

ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]

# Close code for a rejected token, after HTTP's 401 (RFC 6455 private range).
CLOSE_UNAUTHORIZED = 4401


def _bearer(scope: MutableMapping[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


@database_sync_to_async
def _token_get(raw_token: str) -> ApiToken | None:
    try:
        return api_token_authenticate(raw_token=raw_token)
    except ApiTokenRejected:
        return None


def token_or_session_auth(inner: ASGIApp) -> ASGIApp:
    """`inner` with the user of a bearer token, or of the session (origin checked)."""
    session_stack = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        raw_token = _bearer(scope) if scope["type"] == "websocket" else None
        if raw_token is None:
            await session_stack(scope, receive, send)
            return
        token = await _token_get(raw_token)
        if token is None:
            # Refuse the handshake (the client sees HTTP 403).
            await receive()
            await send({"type": "websocket.close", "code": CLOSE_UNAUTHORIZED})
            return
        await inner({**scope, "user": token.user, "api_token": token}, receive, send)

    return app
