"""Accounts and tokens: POST /users signs up, POST /token logs in (OAuth2's
password flow), GET /users/me says who a token belongs to."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from notes.dependencies import DbDep, UserDep
from notes.models import Token, User
from notes.schemas import TokenOut, UserIn, UserOut
from notes.security import digest, hash_password, new_token, verify_password

router = APIRouter(tags=["auth"])


@router.post("/users", status_code=status.HTTP_201_CREATED)
def sign_up(data: UserIn, db: DbDep) -> UserOut:
    if db.scalar(select(User).where(User.username == data.username)) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "That username is taken")
    user = User(username=data.username, password_hash=hash_password(data.password))
    db.add(user)
    db.commit()
    return UserOut.model_validate(user)


@router.post("/token")
def log_in(form: Annotated[OAuth2PasswordRequestForm, Depends()], db: DbDep) -> TokenOut:
    user = db.scalar(select(User).where(User.username == form.username))
    if not verify_password(user.password_hash if user else None, form.password):
        # One answer for both mistakes, so that /token does not tell who has an account.
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Incorrect username or password")
    token = new_token()
    db.add(Token(digest=digest(token), user_id=user.id))
    db.commit()
    return TokenOut(access_token=token, token_type="bearer")


@router.get("/users/me")
def read_me(user: UserDep) -> UserOut:
    return UserOut.model_validate(user)
