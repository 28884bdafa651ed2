from django.db import models


class Customer(models.Model):
    # Was `name` until this release: renamed to say what it holds. Dropped in
    # a later release, once no running code reads it.
    full_name = models.CharField(max_length=200)
    first_name = models.CharField(max_length=200)
    last_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()

    def __str__(self) -> str:
        return self.full_name
