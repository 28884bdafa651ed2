import httpx
from blog_http_hidden import ADA_ID, GRACE, csrf_token, log_in, new_post, write_post


def test_an_anonymous_post_is_not_saved(client):
    # The login page gives an anonymous visitor a CSRF cookie and token.
    token = csrf_token(client, "/accounts/login/")
    fields = new_post("anonymous")
    response = client.post("/posts/new/", data={"csrfmiddlewaretoken": token, **fields})
    assert response.status_code == 302
    assert response.headers["location"].startswith("/accounts/login/")
    assert client.get(f"/posts/{fields['slug']}/").status_code == 404


def test_a_post_without_the_csrf_token_is_refused(client):
    log_in(client, GRACE, path="/accounts/login/")
    client.get("/posts/new/")
    fields = new_post("no-token")
    response = client.post("/posts/new/", data=fields)
    assert response.status_code == 403
    forged = client.post("/posts/new/", data={"csrfmiddlewaretoken": "x" * 64, **fields})
    assert forged.status_code == 403
    assert client.get(f"/posts/{fields['slug']}/").status_code == 404


def test_an_invalid_form_is_shown_again_with_its_errors(client):
    log_in(client, GRACE, path="/accounts/login/")
    fields = new_post("invalid", title="", body="Keep this text, please.")
    response = write_post(client, **fields)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert "Keep this text, please." in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert client.get(f"/posts/{fields['slug']}/").status_code == 404


def test_a_taken_slug_is_an_error_on_the_form(client):
    log_in(client, GRACE, path="/accounts/login/")
    fields = new_post("taken")
    assert write_post(client, **fields).status_code == 302
    again = write_post(client, **{**fields, "title": "Another title"})
    assert again.status_code == 200
    assert "errorlist" in again.text


def test_the_author_is_whoever_is_logged_in(client, client_options):
    log_in(client, GRACE, path="/accounts/login/")
    fields = new_post("signed", author=str(ADA_ID))
    assert write_post(client, **fields).status_code == 302
    with httpx.Client(**client_options) as visitor:
        page = visitor.get(f"/posts/{fields['slug']}/")
    assert page.status_code == 200
    assert "grace" in page.text and ">ada<" not in page.text and "by ada" not in page.text


def test_a_draft_written_in_the_form_stays_hidden(client):
    log_in(client, GRACE, path="/accounts/login/")
    fields = new_post("draft", published_at="")
    assert write_post(client, **fields).status_code == 302
    assert client.get(f"/posts/{fields['slug']}/").status_code == 404


def test_what_the_form_saves_is_escaped_on_the_page(client):
    log_in(client, GRACE, path="/accounts/login/")
    fields = new_post("markup", title="<script>alert('form')</script>")
    assert write_post(client, **fields).status_code == 302
    page = client.get(f"/posts/{fields['slug']}/")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
