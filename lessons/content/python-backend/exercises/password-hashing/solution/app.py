"""Password storage for the sign-up and login views."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id with OWASP's minimum settings: 19 MiB of memory, 2 passes, 1 lane.
# The library's defaults (64 MiB, 3 passes, 4 lanes) are stronger and slower.
# One hasher can be shared by the whole process.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password: str) -> str:
    """Turn a new password into the string that is stored in the database."""
    return _hasher.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """True if `password` matches the `stored` string made by hash_password."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        # VerifyMismatchError (wrong password) is a VerificationError;
        # InvalidHashError means `stored` is not an Argon2 hash at all.
        return False
