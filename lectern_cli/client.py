"""HTTP and WebSocket calls to a Lectern server (standard library and websockets)."""

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from lectern_cli import __version__

USER_AGENT = f"lectern-cli/{__version__}"


class CliError(Exception):
    """Stops the command with exit status 2 and this one-line message."""


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.message


class Client:
    def __init__(self, url: str, token: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> tuple[int, Any]:
        """Status and JSON of a request; raises ApiError for an error answer and
        CliError when the server cannot be reached."""
        target = path if path.startswith(("http://", "https://")) else self.url + path
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the user's own server URL
            target,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
                **({"Content-Type": "application/json"} if data is not None else {}),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise _api_error(error) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise CliError(
                f"cannot reach {self.url} ({reason}); check the URL (lectern login --url …) "
                "and that the server is running."
            ) from None

    def get(self, path: str) -> Any:
        return self.request("GET", path)[1]

    def me(self) -> dict[str, Any]:
        return dict(self.get("/api/v1/me"))

    def exercises(self) -> list[dict[str, Any]]:
        return list(self.get("/api/v1/exercises"))

    def exercise(self, slug: str) -> dict[str, Any]:
        return dict(self.get(f"/api/v1/exercises/{quote(slug, safe='')}"))

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
                    "POST", "/api/v1/submissions", body, headers={"Idempotency-Key": key}
                )
                return dict(accepted)
            except ApiError as error:
                if error.status != 429 or attempt == 4:
                    raise
                pause = min(error.retry_after or 5.0, 30.0)
                notice(f"{error.message} Waiting {pause:.0f} s…")
                time.sleep(pause)
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
                if message.get("type") == "completed":
                    return
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
                yield json.loads(socket.recv(timeout=remaining))

    def _poll(self, url: str, last: int, deadline: float) -> Iterator[dict[str, Any]]:
        while time.monotonic() < deadline:
            document = self.get(url)
            for event in document.get("events", []):
                if event["seq"] > last:
                    last = event["seq"]
                    yield event
                    if event["type"] == "completed":
                        return
            time.sleep(1.0)
        raise CliError("no result within the time limit; see it later with the API or on the site.")


def _api_error(error: urllib.error.HTTPError) -> ApiError:
    try:
        detail = json.loads(error.read()).get("error", {})
    except (ValueError, AttributeError):
        detail = {}
    retry_after = error.headers.get("Retry-After")
    return ApiError(
        status=error.code,
        code=str(detail.get("code", "http_error")),
        message=str(detail.get("message", f"HTTP {error.code}")),
        retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
    )
