"""Two demo accounts for a fresh database (you do not need to change this file):

    ada    password "correct-horse-battery", staff and superuser: she may use /admin/
    grace  password "grace-hopper-cobol", an ordinary user

Their passwords are stored as the PBKDF2 hashes Django's make_password gives,
as a fixture would hold them: hashing them again at every start would cost
most of a second each.
"""

from django.contrib.auth.models import User

ACCOUNTS = {
    "ada": "pbkdf2_sha256$1000000$adaSaltBlog2026xyzAB$"
    "hKgOl1SSksSaFOGTO+GDNwF9ZzzMva+/DmlbU2xnIos=",
    "grace": "pbkdf2_sha256$1000000$graceSaltBlog2026xyz$"
    "0Y86fF+UKdwZ5ycjhO4jMBDh3YJz3Mj75rSWfJLCuOU=",
}


def create_demo_accounts() -> None:
    for username, password_hash in ACCOUNTS.items():
        staff = username == "ada"
        User.objects.get_or_create(
            username=username,
            defaults={"password": password_hash, "is_staff": staff, "is_superuser": staff},
        )
