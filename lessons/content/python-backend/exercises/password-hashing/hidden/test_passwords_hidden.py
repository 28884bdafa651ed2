import hashlib
import re

from app import hash_password, verify_password

PASSWORD = "Tr0ub4dor&3-lectern"


def test_hashes_are_salted_and_do_not_reveal_the_password():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    data = PASSWORD.encode()
    for leak in (
        PASSWORD,
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    ):
        assert leak not in first


def test_hash_cost_is_not_below_the_owasp_minimum():
    stored = hash_password(PASSWORD)
    argon2 = re.match(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    bcrypt = re.match(r"\$2b\$(\d\d)\$", stored)
    assert argon2 or bcrypt
    if argon2:
        memory_kib, passes = int(argon2[1]), int(argon2[2])
        assert memory_kib >= 7168 and memory_kib * passes >= 35840
    else:
        assert int(bcrypt[1]) >= 10


def test_verify_returns_false_for_malformed_stored_values():
    md5_of_password = hashlib.md5(PASSWORD.encode()).hexdigest()
    for stored in (
        "",
        "garbage",
        md5_of_password,
        PASSWORD,
        "$argon2id$v=19$m=65536,t=3,p=4$not-base64$",
        "$2b$12$tooshort",
    ):
        assert verify_password(PASSWORD, stored) is False, repr(stored)


def test_unicode_passwords_work():
    password = "pässwörd ✓ 密码 🔑"
    stored = hash_password(password)
    assert verify_password(password, stored) is True
    assert verify_password("passwörd ✓ 密码 🔑", stored) is False


def test_long_passwords_count_every_character():
    # 100 characters that differ only at the very end.
    first = "x" * 99 + "1"
    second = "x" * 99 + "2"
    stored = hash_password(first)
    assert verify_password(first, stored) is True
    assert verify_password(second, stored) is False
