"""Read-only queries about accounts: API tokens and who teaches what."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.models import ApiToken
from lessons.models import Course


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def user_is_instructor(*, user: User) -> bool:
    """True for anyone who teaches at least one course."""
    return Course.objects.filter(instructors=user).exists()


def user_teaches_course(*, user: User, course: Course) -> bool:
    return course.instructors.filter(pk=user.pk).exists()
