"""Password storage for the sign-up and login views."""

import hashlib


def hash_password(password: str) -> str:
    """Turn a new password into the string that is stored in the database."""
    return hashlib.md5(password.encode()).hexdigest()


def verify_password(password: str, stored: str) -> bool:
    """True if `password` matches the `stored` string made by hash_password."""
    return hash_password(password) == stored
