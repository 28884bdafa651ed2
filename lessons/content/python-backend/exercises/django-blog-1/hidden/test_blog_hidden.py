import html
import re

from blog_http_hidden import add_post_in_admin, log_in, titles_in_list, unique_slug
from learner_tools import pytest_run

LEARNER_FILES = [
    "manage.py",
    "blogsite/__init__.py",
    "blogsite/settings.py",
    "blogsite/urls.py",
    "blogsite/wsgi.py",
    "blogsite/demo.py",
    "blog/__init__.py",
    "blog/models.py",
    "blog/admin.py",
    "blog/views.py",
    "blog/urls.py",
    "blog/migrations/__init__.py",
    "blog/migrations/0001_initial.py",
]

SETUP = """
import os

os.environ["DJANGO_SETTINGS_MODULE"] = "blogsite.settings"

import django

django.setup()

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
from django.db.migrations.state import ProjectState
"""

NO_MISSING_MIGRATION = (
    SETUP
    + """

def test_no_missing_migration():
    apps.get_model("blog", "Post")
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert ("blog", "0001_initial") in loader.disk_migrations
    detector = MigrationAutodetector(
        loader.project_state(),
        ProjectState.from_apps(apps),
        NonInteractiveMigrationQuestioner(specified_apps={"blog"}, dry_run=True),
    )
    changes = detector.changes(graph=loader.graph, trim_to_apps={"blog"})
    missing = [op.describe() for step in changes.get("blog", []) for op in step.operations]
    assert not missing, missing
"""
)

TABLE = (
    SETUP
    + """

def test_the_table():
    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        found = connection.introspection.get_table_description(cursor, "blog_post")
        constraints = connection.introspection.get_constraints(cursor, "blog_post").values()
    columns = {column.name: column for column in found}
    expected = {"id", "title", "slug", "body", "published_at", "author_id"}
    assert set(columns) == expected, sorted(columns)
    assert columns["published_at"].null_ok
    assert not any(columns[name].null_ok for name in ("title", "slug", "body", "author_id"))
    assert any(c["unique"] and c["columns"] == ["slug"] for c in constraints)
    to_users = ("auth_user", "id")
    assert any(c["foreign_key"] == to_users and c["columns"] == ["author_id"] for c in constraints)
"""
)


def probe(source):
    result = pytest_run(files={"test_probe.py": source}, tests=LEARNER_FILES, timeout=30)
    return result["returncode"]


def test_the_migration_matches_the_models():
    assert probe(NO_MISSING_MIGRATION) == 0


def test_the_migration_builds_the_table_asked_for():
    assert probe(TABLE) == 0


def test_the_admin_shows_columns_and_fills_in_the_slug(client):
    log_in(client)
    add_post_in_admin(
        client, title="Column check", slug=unique_slug("col"), published_at="2021-01-01 10:00:00"
    )
    listing = client.get("/admin/blog/post/").text
    for name in ("title", "author", "published_at"):
        assert f"column-{name}" in listing
    add_page = html.unescape(client.get("/admin/blog/post/add/").text)
    found = re.search(r'data-prepopulated-fields="(.*?)"\s', add_page, re.S) or re.search(
        r"data-prepopulated-fields='(.*?)'", add_page, re.S
    )
    assert found and '"#id_slug"' in found.group(1) and '"#id_title"' in found.group(1)


def test_a_post_scheduled_for_later_is_not_published_yet(client):
    log_in(client)
    slug = unique_slug("later")
    response = add_post_in_admin(
        client, title="From the future", slug=slug, published_at="2999-01-01 10:00:00"
    )
    assert response.status_code == 302
    assert client.get(f"/posts/{slug}/").status_code == 404
    assert "From the future" not in titles_in_list(client.get("/"))


def test_titles_and_bodies_are_escaped(client):
    log_in(client)
    slug = unique_slug("xss")
    title = '<script>alert("title")</script> & co'
    body = '<img src=x onerror="alert(1)">'
    add_post_in_admin(client, title=title, slug=slug, body=body, published_at="2022-01-01 10:00:00")
    for path in ("/", f"/posts/{slug}/"):
        page = client.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;" in client.get(f"/posts/{slug}/").text


def test_slugs_are_unique(client):
    log_in(client)
    slug = unique_slug("twice")
    first = add_post_in_admin(client, title="One", slug=slug, published_at="2022-02-01 10:00:00")
    assert first.status_code == 302
    second = add_post_in_admin(client, title="Two", slug=slug, published_at="2022-02-02 10:00:00")
    assert second.status_code == 200  # the admin shows the form again, with the error


def test_the_pages_extend_base_html(client):
    log_in(client)
    slug = unique_slug("base")
    add_post_in_admin(client, title="Base check", slug=slug, published_at="2022-03-01 10:00:00")
    for path in ("/", f"/posts/{slug}/"):
        text = client.get(path).text
        assert "<header>" in text and "</html>" in text and "<title>" in text
