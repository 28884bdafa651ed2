"""A small API that logs users in with OAuth2's password flow and bearer tokens."""

import hashlib
import secrets
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel

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
# Checked when the username is unknown, so that a wrong username takes as long
# as a wrong password and the timing does not tell which usernames exist.
DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$QHZUdICvEU2mZBsGAU52bA$ydIiNauFCGoiCRHOUH2oQNISihIYk0+DMv8WAmxe64M"

# SHA-256 of each token -> username. A token is a random secret the server looks
# up; storing only its digest means a copy of this table logs nobody in.
TOKENS: dict[str, str] = {}

# Reads "Authorization: Bearer <token>", answers 401 with "WWW-Authenticate: Bearer"
# when it is missing, and tells the OpenAPI document where tokens come from.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


class Token(BaseModel):
    access_token: str
    token_type: str


class User(BaseModel):
    username: str
    full_name: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(username: str, password: str) -> dict | None:
    user = USERS.get(username)
    try:
        hasher.verify(user["password_hash"] if user else DUMMY_HASH, password)
    except VerificationError:
        return None
    return user


@app.post("/token")
def issue_token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    user = authenticate(form.username, form.password)
    if user is None:
        # One answer for both mistakes. OAuth2 answers a refused password grant with 400.
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Incorrect username or password")
    token = secrets.token_urlsafe(32)
    TOKENS[digest(token)] = user["username"]
    return Token(access_token=token, token_type="bearer")


def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> dict:
    username = TOKENS.get(digest(token))
    if username is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Invalid or expired token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return USERS[username]


@app.get("/users/me")
def read_me(user: Annotated[dict, Depends(current_user)]) -> User:
    return User(username=user["username"], full_name=user["full_name"])
