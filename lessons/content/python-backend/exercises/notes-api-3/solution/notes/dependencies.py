"""What routes ask for, as FastAPI dependencies. A route never reaches for a
global: it declares what it needs, and a test can swap any of these with
app.dependency_overrides[get_settings] = lambda: Settings(...)."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from notes.models import Token, User
from notes.security import digest
from notes.settings import Settings

# Reads "Authorization: Bearer <token>", answers 401 when it is missing, and
# tells the OpenAPI document (and the Authorize button of /docs) where tokens come from.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, closed when the answer has been sent."""
    with request.app.state.session_factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Session, Depends(get_db)]


def current_user(token: Annotated[str, Depends(oauth2_scheme)], db: DbDep) -> User:
    """Who sent the request: the owner of a token the server issued, or 401."""
    row = db.get(Token, digest(token))
    if row is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Invalid or expired token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return db.get_one(User, row.user_id)


UserDep = Annotated[User, Depends(current_user)]
