"""A tiny user directory API."""

import os

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

# Configuration comes from the environment; the real value lives in the
# deployment's secret store, never in the code.
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///directory-dev.db")

app = FastAPI()

# Stand-in for the users table. Leave this data as it is: the tests use it.
USERS = {
    1: {
        "id": 1,
        "username": "ada",
        "display_name": "Ada Lovelace",
        "email": "ada@example.com",
        "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$YWRhc2FsdHNhbHQ$0n3yB5vUuZ6c2m0QH2v4Kw",
        "api_token": "tok_live_4f9d1c7e2b8a6053",
        "is_admin": True,
        "failed_logins": 0,
    },
    2: {
        "id": 2,
        "username": "linus",
        "display_name": "Linus T.",
        "email": "linus@example.com",
        "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$bGludXNzYWx0$Qm9vdHN0cmFwcGVkIQ",
        "api_token": "tok_live_a13e77b0c95d2f48",
        "is_admin": False,
        "failed_logins": 3,
    },
}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


class PublicUser(BaseModel):
    """What anyone may see about a user: an allow-list of fields."""

    id: int
    username: str
    display_name: str


@app.middleware("http")
async def add_security_headers(request: Request, call_next):
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    return response


@app.get("/users", response_model=list[PublicUser])
def list_users():
    return list(USERS.values())


@app.get("/users/{user_id}", response_model=PublicUser)
def get_user(user_id: int):
    user = USERS.get(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user
