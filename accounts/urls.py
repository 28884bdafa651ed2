"""Sign-up, and Django's own auth views (login, logout, password change and
reset) under their usual names ("login", "password_reset_done", ...), which
those views reverse without a namespace."""

from django.urls import include, path

from accounts import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("", include("django.contrib.auth.urls")),
]
