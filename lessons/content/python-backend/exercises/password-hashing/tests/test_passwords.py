import pytest

from app import hash_password, verify_password

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def stored():
    return hash_password(PASSWORD)


def test_verify_accepts_the_right_password(stored):
    assert verify_password(PASSWORD, stored) is True


def test_verify_rejects_a_wrong_password(stored):
    assert verify_password("correct horse battery stapler", stored) is False
    assert verify_password("", stored) is False


def test_hash_is_argon2id_or_bcrypt(stored):
    assert isinstance(stored, str), f"hash_password must return a str, not {type(stored).__name__}"
    assert stored.startswith(("$argon2id$", "$2b$")), (
        f"expected an Argon2id ($argon2id$...) or bcrypt ($2b$...) hash, got {stored!r}"
    )
