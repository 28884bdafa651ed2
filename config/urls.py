from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("classes.urls")),
    path("", include("teaching.urls")),
    path("", include("grader.urls")),
    path("", include("learning.urls")),
    path("", include("lessons.urls")),
]
