"""The blog's pages: the list of published posts, and one post."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from blog.models import Post


def post_list(request):
    posts = Post.objects.published().select_related("author").order_by("-published_at", "-id")
    return render(request, "blog/post_list.html", {"posts": posts})


def post_detail(request, slug):
    # A draft is not found, exactly like a slug that does not exist.
    post = get_object_or_404(Post.objects.published().select_related("author"), slug=slug)
    return render(request, "blog/post_detail.html", {"post": post})


def post_create(request):
    # Not wired to a URL yet: add "posts/new/" to blog/urls.py.
    return HttpResponse("The form to write a post is not written yet.", status=501)
