"""Tests of the blog, run with `python manage.py test blog`.

Each TestCase test runs inside a transaction that is rolled back at its end,
on a test database that Django creates for the run and drops after it, so
every test starts from what setUpTestData made.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from blog.models import Post

# Passwords of throwaway test users, hashed with the fast test hasher.
ADA_PASSWORD, GRACE_PASSWORD = "pw-ada-123", "pw-grace-123"
NEW_POST = {"title": "Hello", "slug": "hello", "body": "First!", "published_at": "2024-05-01 10:00"}


class PostPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ada = User.objects.create_user("ada", password=ADA_PASSWORD)
        now = timezone.now()
        cls.old = Post.objects.create(
            title="Old", slug="old", body="b", published_at=now - timedelta(days=2), author=cls.ada
        )
        cls.new = Post.objects.create(
            title="New",
            slug="new-one",
            body="b",
            published_at=now - timedelta(days=1),
            author=cls.ada,
        )
        cls.draft = Post.objects.create(title="Draft", slug="draft", body="b", author=cls.ada)

    def test_the_list_shows_published_posts_newest_first(self):
        response = self.client.get(reverse("blog:post_list"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["posts"]), [self.new, self.old])
        self.assertNotContains(response, "Draft")

    def test_a_draft_has_no_page(self):
        self.assertEqual(self.client.get("/posts/draft/").status_code, 404)
        self.assertContains(self.client.get("/posts/old/"), "Old")


class WritingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ada = User.objects.create_user("ada", password=ADA_PASSWORD)
        cls.grace = User.objects.create_user("grace", password=GRACE_PASSWORD)

    def test_anonymous_users_are_sent_to_log_in(self):
        response = self.client.post(reverse("blog:post_create"), NEW_POST)
        self.assertRedirects(
            response, "/accounts/login/?next=/posts/new/", fetch_redirect_response=False
        )
        self.assertFalse(Post.objects.exists())

    def test_the_author_is_whoever_is_logged_in(self):
        self.client.force_login(self.ada)
        response = self.client.post(
            reverse("blog:post_create"), {**NEW_POST, "author": self.grace.pk}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Post.objects.get(slug="hello").author, self.ada)

    def test_a_post_without_the_csrf_token_is_refused(self):
        # The test client skips CSRF checks unless told not to.
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.ada)
        response = client.post(reverse("blog:post_create"), NEW_POST)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Post.objects.exists())

    def test_an_invalid_form_is_shown_again(self):
        self.client.force_login(self.ada)
        response = self.client.post(reverse("blog:post_create"), {**NEW_POST, "title": ""})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
