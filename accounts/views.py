from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import ApiTokenForm, SignupForm
from accounts.models import ApiToken
from accounts.selectors import api_token_list, user_is_instructor
from accounts.services import ApiTokenInvalid, NewApiToken, api_token_create, api_token_revoke


def safe_next_url(request: HttpRequest) -> str:
    """Where to go after signing up: `next` when it points into this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # The default backend: sign-up is a login, so the learner carries on at once.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponseRedirect(next_url)
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The profile page's tokens: list, create (the new token is shown on this
    response only, and stored nowhere in the clear), revoke."""
    user = request.user
    assert isinstance(user, User)
    instructor = user.is_superuser or user_is_instructor(user=user)
    form = ApiTokenForm(request.POST or None, instructor=instructor)
    created: NewApiToken | None = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires"]
        scopes = (
            [ApiToken.Scope.SUBMIT_FOR_LEARNERS]
            if form.cleaned_data.get("submit_for_learners")
            else []
        )
        try:
            created = api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                expires_at=None if days == "never" else timezone.now() + timedelta(days=int(days)),
                scopes=scopes,
            )
        except ApiTokenInvalid as error:
            form.add_error(error.field or None, error.message)
        else:
            form = ApiTokenForm(instructor=instructor)
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": api_token_list(user=user),
            "now": timezone.now(),
            "api_base": request.build_absolute_uri("/"),
        },
    )


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if api_token_revoke(user=user, token_id=token_id):
        messages.success(request, "The token was revoked; it no longer works.")
    else:
        messages.error(request, "No such token, or it was revoked already.")
    return redirect("api_tokens")
