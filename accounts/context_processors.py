"""Links for the site header: log in and sign up come back to the page the
visitor was reading."""

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse


def account_links(request: HttpRequest) -> dict[str, str]:
    login_url = reverse("login")
    signup_url = reverse("signup")
    accounts_prefix = login_url.rsplit("login/", 1)[0]
    # Coming back to a login or reset page after logging in would be a dead end.
    if request.method == "GET" and not request.path.startswith(accounts_prefix):
        query = "?" + urlencode({"next": request.get_full_path()})
        login_url += query
        signup_url += query
    return {"account_login_url": login_url, "account_signup_url": signup_url}
