"""Who is asking, and what they may do.

Login is written for you: a request names its user with the header
`X-Token: <token>`. What each role may do is yours to write.
"""

import functools
from collections.abc import Callable

from flask import g, request

ROLES = ("viewer", "operator", "admin")

USERS = {
    "viewer-token": {"name": "vera", "role": "viewer"},
    "operator-token": {"name": "otto", "role": "operator"},
    "admin-token": {"name": "ada", "role": "admin"},
}


def current_user() -> dict | None:
    """The user the request's X-Token names, or None."""
    return USERS.get(request.headers.get("X-Token", ""))


# Every permission a route can ask for, and the roles that have it.
PERMISSIONS: dict[str, set[str]] = {
    "orders:read": {"viewer", "operator", "admin"},
    "orders:create": {"operator", "admin"},
    "reports:read": {"operator", "admin"},
    "orders:refund": {"admin"},
}


def require(permission: str) -> Callable:
    """Decorate a view: 401 without a known user, 403 without the permission."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    allowed = PERMISSIONS[permission]

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return (
                    {"error": "authentication required"},
                    401,
                    {"WWW-Authenticate": "Token"},
                )
            if user["role"] not in allowed:
                return {"error": f"{permission} is not allowed for {user['role']}"}, 403
            g.user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator
