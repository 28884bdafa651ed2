"""The form a logged-in user writes a post with."""

from django import forms

from blog.models import Post


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        # No "author": who wrote the post is the logged-in user, set by the
        # view. A field here would let anyone sign a post with another name.
        fields = ["title", "slug", "body", "published_at"]
