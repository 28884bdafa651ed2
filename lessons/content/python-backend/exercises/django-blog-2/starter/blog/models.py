"""The blog's data: one table of posts."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class PostQuerySet(models.QuerySet):
    def published(self):
        """Posts with a publication time that has come: no drafts, nothing scheduled."""
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())


class Post(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField()
    # Empty while the post is a draft.
    published_at = models.DateTimeField(null=True, blank=True)
    # settings.AUTH_USER_MODEL, not User: a project may swap the user model.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:post_detail", args=[self.slug])
