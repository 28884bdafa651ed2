from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "HTTP API"

    def ready(self) -> None:
        # grader may not import api (lessons <- grader <- api), so the grader's
        # periodic sweep learns of the result callbacks here: Celery workers and
        # the inline pool then deliver them alike.
        from api.callbacks import callbacks_sweep
        from grader.periodic import sweep_job_register

        sweep_job_register("result callbacks", callbacks_sweep)
