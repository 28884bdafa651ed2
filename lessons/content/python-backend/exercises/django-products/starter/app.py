"""The products API as a whole Django project in one module."""

import os

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "insecure-key-for-local-use-only"),
    ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"],
    ROOT_URLCONF=__name__,
    # ALLOWED_HOSTS is only enforced when something asks for the request's host,
    # and without middleware nothing does. CommonMiddleware asks on every request,
    # so a foreign Host header gets 400; SecurityMiddleware adds protective headers
    # such as X-Content-Type-Options: nosniff.
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    # The paths here have no trailing slash. APPEND_SLASH=False stops
    # CommonMiddleware from redirecting a path it cannot find to the same path
    # with a slash added: that is Django's convention, not this API's.
    APPEND_SLASH=False,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402  (Django must be set up first)
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
    {"id": 3, "name": "Headphones", "price": 149.99},
]


def hello(request):
    return JsonResponse({"message": "Hello, World!"})


def list_products(request):
    return JsonResponse(PRODUCTS)


urlpatterns = [
    path("hello", hello),
]

# What a WSGI server calls, as in the wsgi.py of a full Django project.
application = get_wsgi_application()
