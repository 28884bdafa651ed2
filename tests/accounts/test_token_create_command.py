"""manage.py token_create: an operator makes a token for a user without a browser."""

import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_authenticate
from lessons.models import Course, Exercise
from tests.live_server import PROJECT_DIR, live_database_url


def token_create(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token_create", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_the_token_is_printed_alone_on_stdout_once_and_works(learner: User) -> None:
    out, err = token_create("learner", "--name", "grading bot", "--expires", "30")

    raw = out.strip()
    assert out == raw + "\n"  # nothing else: TOKEN=$(manage.py token_create …) works
    token = api_token_authenticate(raw_token=raw)
    assert token.user == learner and token.name == "grading bot"
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert "Shown once" in err and token.signing_secret in err
    assert raw not in err

    # By default a token that never expires, named after where it came from.
    token_create("learner")
    assert ApiToken.objects.get(name="manage.py token_create").expires_at is None


@pytest.mark.django_db
def test_an_instructor_gets_a_scoped_token(instructor: User, flask_exercise: Exercise) -> None:
    Course.objects.get(slug="python-backend").instructors.add(instructor)

    out, _ = token_create("instructor", "--name", "course CI", "--scope", "submit_for_learners")

    assert api_token_authenticate(raw_token=out.strip()).scopes == ["submit_for_learners"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "there is no user called 'nobody'"),
        (["learner", "--scope", "admin"], "unknown scope 'admin'; the scopes are: "),
        (["learner", "--scope", "submit_for_learners"], "Only instructors of a course"),
        (["learner", "--expires", "0"], "--expires 0: give a positive whole number of days"),
        (["learner", "--expires", "-5"], "--expires -5: give a positive whole number of days"),
        (["learner", "--expires", "soon"], "--expires soon: give a positive whole number"),
        (["learner", "--name", "   "], "Give the token a name"),
        (["disabled"], "the user 'disabled' is inactive"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_makes_no_token(
    learner: User, args: list[str], message: str
) -> None:
    User.objects.create_user("disabled", is_active=False)

    with pytest.raises(CommandError) as refused:
        token_create(*args)

    assert message in str(refused.value)
    assert refused.value.returncode == 2
    assert not ApiToken.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_from_the_shell_a_refusal_is_exit_status_2_and_one_line(learner: User) -> None:
    environment = {**os.environ, "DATABASE_URL": live_database_url(), "DJANGO_DEBUG": "0"}
    environment.setdefault("DJANGO_SECRET_KEY", "test-only-key")

    refused = subprocess.run(
        [sys.executable, "manage.py", "token_create", "learner", "--expires", "0"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    made = subprocess.run(
        [sys.executable, "manage.py", "token_create", "learner"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "CommandError: --expires 0: give a positive whole number of days, e.g. --expires 90 "
        "(or leave it out for a token that never expires)."
    ]
    assert made.returncode == 0, made.stderr
    assert api_token_authenticate(raw_token=made.stdout.strip()).user == learner
