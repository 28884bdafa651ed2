from django.db import models


class Customer(models.Model):
    # Was `name` until this release: renamed to say what it holds.
    full_name = models.CharField(max_length=200)
    email = models.EmailField()

    def __str__(self) -> str:
        return self.full_name
