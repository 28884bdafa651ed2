"""The admin: a back office for staff to find and fix posts, not the blog itself."""

from django.contrib import admin

from blog.models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "published_at"]
    list_filter = ["published_at"]
    search_fields = ["title", "body"]
    # The slug is typed for you from the title, in the browser.
    prepopulated_fields = {"slug": ["title"]}
