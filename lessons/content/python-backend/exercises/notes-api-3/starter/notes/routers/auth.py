"""Accounts and tokens: POST /users signs up, POST /token logs in (OAuth2's
password flow), GET /users/me says who a token belongs to."""

from fastapi import APIRouter

router = APIRouter(tags=["auth"])

# TODO: POST /users, POST /token, GET /users/me.
