"""HTTP and WebSocket calls to a Lectern server (standard library and websockets)."""

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from lectern_cli import __version__, shapes
from lectern_cli.shapes import shape_problem

USER_AGENT = f"lectern-cli/{__version__}"


class CliError(Exception):
    """Stops the command with exit status 2 and this one-line message."""


class UnexpectedAnswer(CliError):
    """The server answered, but not with what a Lectern server sends."""


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.message


class Client:
    def __init__(self, url: str, token: str = "", *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        # Empty only for the one request that makes a token from a password.
        self.token = token
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        *,
        shape: Any = None,
    ) -> tuple[int, Any]:
        """Status and JSON of a request, checked against `shape` (lectern_cli.shapes);
        raises ApiError for an error answer, CliError when the server cannot be
        reached, UnexpectedAnswer when the answer is not of that shape."""
        target = path if path.startswith(("http://", "https://")) else self.url + path
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the user's own server URL
            target,
            data=data,
            method=method,
            headers={
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
                **({"Content-Type": "application/json"} if data is not None else {}),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            raise _api_error(error) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise CliError(
                f"cannot reach {self.url} ({reason}); check the URL (lectern login --url …) "
                "and that the server is running."
            ) from None
        problem: str | None = None
        try:
            document = json.loads(raw or b"null")
        except ValueError:
            document, problem = None, "the answer is not JSON"
        if problem is None and shape is not None:
            problem = shape_problem(document, shape)
        if problem:
            raise UnexpectedAnswer(
                f"{self.url} answered {method} {urlsplit(target).path} with something lectern "
                f"does not understand: {problem}. Check the URL (the site's address) and that "
                "it is a Lectern server of this version."
            )
        return status, document

    def get(self, path: str, shape: Any) -> Any:
        return self.request("GET", path, shape=shape)[1]

    def me(self) -> dict[str, Any]:
        return dict(self.get("/api/v1/me", shapes.ME))

    def token_create(
        self, *, username: str, password: str, name: str, expires_days: int | None
    ) -> dict[str, Any]:
        """A new token of this user, made from their password (POST /api/v1/tokens)."""
        body: dict[str, Any] = {"username": username, "password": password, "name": name}
        if expires_days is not None:
            body["expires_days"] = expires_days
        return dict(self.request("POST", "/api/v1/tokens", body, shape=shapes.TOKEN_CREATED)[1])

    def exercises(self) -> list[dict[str, Any]]:
        return list(self.get("/api/v1/exercises", shapes.EXERCISES))

    def exercise(self, slug: str) -> dict[str, Any]:
        return dict(self.get(f"/api/v1/exercises/{quote(slug, safe='')}", shapes.EXERCISE))

    def submission(self, url: str) -> dict[str, Any]:
        document = dict(self.get(url, shapes.SUBMISSION))
        for event in document["events"]:
            _event_check(event, url)
        return document

    def submit(
        self, slug: str, files: dict[str, str], mode: str, *, notice: Callable[[str], None]
    ) -> dict[str, Any]:
        """POST the submission; a lost answer or a 429 is retried with the same
        Idempotency-Key, so the submission is made once."""
        key = str(uuid.uuid4())
        body = {"exercise": slug, "files": files, "mode": mode}
        for attempt in range(5):
            try:
                _, accepted = self.request(
                    "POST",
                    "/api/v1/submissions",
                    body,
                    headers={"Idempotency-Key": key},
                    shape=shapes.ACCEPTED,
                )
                return dict(accepted)
            except ApiError as error:
                if error.status != 429 or attempt == 4:
                    raise
                pause = min(error.retry_after or 5.0, 30.0)
                notice(f"{error.message} Waiting {pause:.0f} s…")
                time.sleep(pause)
            except UnexpectedAnswer:
                raise
            except CliError:
                if attempt >= 2:
                    raise
                time.sleep(1.0)
        raise CliError("the server kept refusing the submission")  # pragma: no cover

    def follow(self, accepted: dict[str, Any], *, deadline: float) -> Iterator[dict[str, Any]]:
        """The submission's events as they come, up to `completed`: over the
        WebSocket, and by polling from where it stopped if the socket fails."""
        last = 0
        try:
            for message in self._websocket(accepted["urls"]["websocket"], deadline):
                if "seq" in message:
                    if message["seq"] <= last:
                        continue
                    last = message["seq"]
                yield message
                if message["type"] == "completed":
                    return
        except UnexpectedAnswer:
            raise
        except Exception:  # noqa: S110 - any socket trouble: poll instead
            pass
        yield from self._poll(accepted["urls"]["self"], last, deadline)

    def _websocket(self, url: str, deadline: float) -> Iterator[dict[str, Any]]:
        from websockets.sync.client import connect

        with connect(
            url,
            additional_headers={"Authorization": f"Bearer {self.token}", "User-Agent": USER_AGENT},
            open_timeout=10,
        ) as socket:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                text = socket.recv(timeout=remaining)
                try:
                    message = json.loads(text)
                except ValueError:
                    message = text
                _event_check(message, url)
                yield message

    def _poll(self, url: str, last: int, deadline: float) -> Iterator[dict[str, Any]]:
        while time.monotonic() < deadline:
            for event in self.submission(url)["events"]:
                if event["seq"] > last:
                    last = event["seq"]
                    yield event
                    if event["type"] == "completed":
                        return
            time.sleep(1.0)
        raise CliError("no result within the time limit.")


def _event_check(message: Any, url: str) -> None:
    problem = shape_problem(message, shapes.event_shape(message), "an event")
    if problem:
        raise UnexpectedAnswer(
            f"{url} sent an event lectern does not understand: {problem}. Check that the site "
            "is a Lectern server of this version."
        )


def _api_error(error: urllib.error.HTTPError) -> ApiError:
    """The error document of an answer; one that is not Lectern's (a proxy's page)
    becomes the code `http_error`."""
    try:
        document = json.loads(error.read())
    except (ValueError, OSError):
        document = None
    if shape_problem(document, shapes.ERROR) is None:
        code, message = document["error"]["code"], document["error"]["message"]
    else:
        code, message = "http_error", f"HTTP {error.code}"
    retry_after = error.headers.get("Retry-After")
    return ApiError(
        status=error.code,
        code=code,
        message=message,
        retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
    )
