"""config.env: settings from the environment fail loudly on a bad value."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_float, env_int, env_list, env_str


def test_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_FLOAT", "0.5")
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    monkeypatch.setenv("X_CHOICE", "celery")

    assert env_int("X_INT", 1) == 12
    assert env_float("X_FLOAT", 1.0) == 0.5
    assert env_bool("X_BOOL", False) is True
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    assert env_choice("X_CHOICE", "inline", ("inline", "celery")) == "celery"


def test_defaults_apply_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_UNSET", raising=False)

    assert env_int("X_UNSET", 7) == 7
    assert env_str("X_UNSET", "fallback") == "fallback"
    assert env_list("X_UNSET", ["one"]) == ["one"]


@pytest.mark.parametrize(
    ("value", "read", "says"),
    [
        ("ten", lambda: env_int("X_BAD", 1), "X_BAD='ten' is not a whole number"),
        ("3", lambda: env_int("X_BAD", 5, minimum=4), "X_BAD=3 is below the minimum of 4"),
        ("fast", lambda: env_float("X_BAD", 1.0), "X_BAD='fast' is not a number"),
        ("maybe", lambda: env_bool("X_BAD", False), "X_BAD='maybe' is not a boolean"),
        ("rabbit", lambda: env_choice("X_BAD", "inline", ("inline",)), "must be one of: inline"),
    ],
)
def test_a_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, read: Callable[[], object], says: str
) -> None:
    monkeypatch.setenv("X_BAD", value)
    with pytest.raises(ImproperlyConfigured, match=says):
        read()


def test_a_secret_without_default_must_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable X_SECRET"):
        env_str("X_SECRET")
