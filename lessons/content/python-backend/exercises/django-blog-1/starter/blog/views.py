"""The blog's pages: the list of published posts, and one post."""

from django.http import HttpResponse


def post_list(request):
    return HttpResponse("The list of posts is not written yet.", status=501)


def post_detail(request, slug):
    return HttpResponse("The page of a post is not written yet.", status=501)
