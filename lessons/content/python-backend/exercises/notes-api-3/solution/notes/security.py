"""Passwords and tokens. Passwords are stored as Argon2id hashes; a token is a
random secret, and the server keeps only its SHA-256 digest."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

# Argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane).
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Checked when a username is unknown, so that it takes as long as a wrong password.
DUMMY_HASH = hasher.hash("not anyone's password")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return hasher.verify(password_hash or DUMMY_HASH, password) and password_hash is not None
    except VerificationError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
