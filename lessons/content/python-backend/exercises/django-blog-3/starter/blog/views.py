"""The blog's pages: the list of published posts, one post, and the form to write one."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from blog.forms import PostForm
from blog.models import Post


def post_list(request):
    posts = Post.objects.published().select_related("author").order_by("-published_at", "-id")
    return render(request, "blog/post_list.html", {"posts": posts})


def post_detail(request, slug):
    # A draft is not found, exactly like a slug that does not exist.
    post = get_object_or_404(Post.objects.published().select_related("author"), slug=slug)
    return render(request, "blog/post_detail.html", {"post": post})


@login_required
def post_create(request):
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            post = form.save(commit=False)
            post.author = request.user
            post.save()
            return redirect("blog:post_list")
    else:
        form = PostForm()
    return render(request, "blog/post_form.html", {"form": form})
