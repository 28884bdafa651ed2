"""The products API as a whole Django project in one module."""

import os

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "insecure-key-for-local-use-only"),
    ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"],
    ROOT_URLCONF=__name__,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402  (Django must be set up first)
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_GET  # noqa: E402

PRODUCTS = [
    {"id": 1, "name": "Laptop", "price": 999.99},
    {"id": 2, "name": "Smartphone", "price": 699.99},
    {"id": 3, "name": "Headphones", "price": 149.99},
]


@require_GET
def hello(request):
    return JsonResponse({"message": "Hello, World!"})


@require_GET
def list_products(request):
    # A list is not a dict, so JsonResponse needs safe=False to accept it.
    return JsonResponse(PRODUCTS, safe=False)


urlpatterns = [
    path("hello", hello),
    path("products", list_products),
]

# What a WSGI server calls, as in the wsgi.py of a full Django project.
application = get_wsgi_application()
