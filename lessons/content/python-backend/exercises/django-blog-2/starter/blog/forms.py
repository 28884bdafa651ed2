"""The form a logged-in user writes a post with.

Write PostForm here: a ModelForm of Post.
"""

from django import forms  # noqa: F401
