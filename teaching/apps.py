from django.apps import AppConfig


class TeachingConfig(AppConfig):
    name = "teaching"
    default_auto_field = "django.db.models.BigAutoField"
