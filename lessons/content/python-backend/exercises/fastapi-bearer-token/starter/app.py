"""A small API that logs users in with a token. It trusts whoever holds a token,
and anyone can make one."""

import base64

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from fastapi import FastAPI, Form, Header, HTTPException

app = FastAPI(title="Accounts API")

# Argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane).
# The users' hashes below were made with hasher.hash(password): the server
# stores those, never the passwords (ada's is analytical-engine-1843, grace's
# cobol-and-nanoseconds).
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

USERS = {
    "ada": {
        "username": "ada",
        "full_name": "Ada Lovelace",
        "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$LRuafiid7zCWYSKbvLmSPw$N5aQiPVpVVxyjcZPW375oiIQMVzAbLsj3oa69UlCHiU",
    },
    "grace": {
        "username": "grace",
        "full_name": "Grace Hopper",
        "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$rYzxPUlqAVTwrT1cTptJ9w$1slDgrM1J0o+z/b5j5KIF+YXz1Fz07O3mr929+E6FIc",
    },
}


@app.post("/token")
def issue_token(username: str = Form(), password: str = Form()):
    user = USERS.get(username)
    if user is None:
        raise HTTPException(404, f"No user called {username!r}")
    try:
        hasher.verify(user["password_hash"], password)
    except VerificationError:
        raise HTTPException(401, "Wrong password") from None
    # An "opaque" token: the username, encoded so that it does not look like one.
    token = base64.urlsafe_b64encode(username.encode()).decode()
    return {"access_token": token, "token_type": "bearer"}


@app.get("/users/me")
def read_me(authorization: str = Header()):
    token = authorization.removeprefix("Bearer ")
    username = base64.urlsafe_b64decode(token).decode()
    user = USERS[username]
    return {"username": user["username"], "full_name": user["full_name"]}
