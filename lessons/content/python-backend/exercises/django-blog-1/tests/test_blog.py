# The grader serves blogsite.wsgi:application, as gunicorn would. `client` is an
# httpx.Client connected to it that keeps cookies, as a browser does; it does not
# follow redirects. The tests add posts with your admin, logged in as ada.

from blog_http import add_post_in_admin, answered, log_in, titles_in_list, unique_slug


def test_posts_are_in_the_admin(client):
    log_in(client)
    page = client.get("/admin/blog/post/")
    assert page.status_code == 200, (
        "GET /admin/blog/post/ as a superuser should list the posts; "
        f"it answered {answered(page)}. "
        "Register Post in blog/admin.py."
    )


def test_a_post_added_in_the_admin_is_saved(client):
    log_in(client)
    slug = unique_slug("first")
    response = add_post_in_admin(
        client, title="First post", slug=slug, published_at="2024-03-01 09:00:00"
    )
    assert response.status_code == 302, (
        "the admin's add form should save the post and redirect; it answered "
        f"{answered(response)}. Are the model's fields and the migration's the same?"
    )


def test_a_published_post_has_a_page(client):
    log_in(client)
    slug = unique_slug("hello")
    add_post_in_admin(
        client,
        title="Hello, blog",
        slug=slug,
        body="Text of the post.",
        published_at="2024-03-02 09:00:00",
    )
    page = client.get(f"/posts/{slug}/")
    assert page.status_code == 200, f"GET /posts/{slug}/ answered {answered(page)}"
    assert "Hello, blog" in page.text, "the post's page should show its title"
    assert "Text of the post." in page.text, "the post's page should show its body"
    assert "ada" in page.text, "the post's page should say who wrote it (the author's username)"


def test_the_list_shows_published_posts_newest_first(client):
    log_in(client)
    older, newer = unique_slug("older"), unique_slug("newer")
    add_post_in_admin(client, title="Older post", slug=older, published_at="2020-01-01 08:00:00")
    add_post_in_admin(client, title="Newer post", slug=newer, published_at="2020-06-01 08:00:00")
    page = client.get("/")
    assert page.status_code == 200, f"GET / answered {answered(page)}"
    titles = titles_in_list(page)
    assert "Older post" in titles and "Newer post" in titles, (
        f"GET / should link each published post's title to /posts/<slug>/; the links were {titles}"
    )
    assert titles.index("Newer post") < titles.index("Older post"), (
        f"the newest post should come first; the list was {titles}"
    )


def test_a_draft_has_no_page(client):
    log_in(client)
    slug = unique_slug("draft")
    response = add_post_in_admin(client, title="Not ready", slug=slug, published_at="")
    assert response.status_code == 302, (
        "a post with no published_at (a draft) should save; "
        f"the admin answered {answered(response)}"
    )
    page = client.get(f"/posts/{slug}/")
    assert page.status_code == 404, (
        f"a draft's page should be 404, as if it did not exist; it answered {answered(page)}"
    )
    assert "Not ready" not in titles_in_list(client.get("/")), "a draft should not be in the list"
