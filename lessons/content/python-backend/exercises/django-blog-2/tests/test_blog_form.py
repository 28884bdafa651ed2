# The grader serves blogsite.wsgi:application; `client` talks to it over HTTP,
# keeps cookies and does not follow redirects. Every POST carries the CSRF token
# of the form it was sent from, as a browser's would; the site's middleware
# checks it for real.

import httpx
from blog_http import GRACE, answered, log_in, new_post, write_post


def test_the_login_page_is_django_s(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200, (
        f"GET /accounts/login/ should show the login form; it answered {answered(page)}. "
        "Include django.contrib.auth.urls under accounts/ in blogsite/urls.py."
    )
    assert 'name="username"' in page.text and 'name="password"' in page.text


def test_logging_in_works(client):
    log_in(client, GRACE, path="/accounts/login/")


def test_writing_a_post_needs_a_login(client):
    page = client.get("/posts/new/")
    assert page.status_code == 302, (
        "GET /posts/new/ without logging in should redirect to the login page; "
        f"it answered {answered(page)}"
    )
    assert page.headers["location"] == "/accounts/login/?next=/posts/new/", page.headers["location"]


def test_a_logged_in_user_can_write_a_post(client, client_options):
    log_in(client, GRACE, path="/accounts/login/")
    form = client.get("/posts/new/")
    assert form.status_code == 200, f"GET /posts/new/ logged in answered {answered(form)}"
    fields = new_post("mine")
    response = write_post(client, **fields)
    assert response.status_code == 302, (
        "a valid post should be saved and answered with a redirect; "
        f"it answered {answered(response)}"
    )
    assert response.headers["location"] == "/", "after saving, redirect to the list, /"
    with httpx.Client(**client_options) as visitor:  # someone who is not logged in
        page = visitor.get(f"/posts/{fields['slug']}/")
    assert page.status_code == 200, f"the new post's page answered {answered(page)}"
    assert fields["title"] in page.text
    assert "grace" in page.text, "the post's page should name its author, grace, who wrote it"
