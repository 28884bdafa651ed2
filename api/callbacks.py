"""Result callbacks: check a callback URL, sign and POST the result when a
submission is final, and try again with exponential backoff.

The deliveries are rows in the database (api.models.CallbackDelivery), so a
restart loses none. `callbacks_deliver_due` delivers what is due; it is a job of
the grader's periodic sweep (registered in api/apps.py), which the in-process
grader runs every CALLBACK_POLL_SECONDS and every Celery worker every
GRADER_SWEEP_SECONDS: each try is claimed with one conditional UPDATE, so two
processes never make the same try.

The signature covers the timestamp and the body together (as Stripe's webhooks
do), so a receiver that rejects old timestamps cannot be fed a recorded delivery
again later.

Server-side request forgery: a callback URL may only name a public address.
The host is resolved when the submission is made and again at every try, and
the connection goes to the address that was checked, so a DNS answer that
changes in between (rebinding) cannot point a try at the internal network.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.models import CallbackAttempt, CallbackDelivery
from api.schemas import CallbackSubmissionOut
from grader.models import Submission
from grader.selectors import submission_summary
from grader.services import worker_name

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Lectern-Signature"
TIMESTAMP_HEADER = "X-Lectern-Timestamp"
URL_MAX = 2000
# What is kept of a receiver's answer and of an error message.
_ERROR_MAX = 500
_FINAL = [Submission.Status.COMPLETED, Submission.Status.CANCELLED]


class CallbackUrlInvalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise CallbackUrlInvalid(f"the host {host!r} cannot be resolved ({error}).") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class CallbackTarget:
    scheme: str
    host: str
    port: int
    path: str
    # The checked addresses, in the order to try them.
    addresses: list[str]


def callback_target_resolve(*, url: str) -> CallbackTarget:
    """Check `url` and resolve its host; raises CallbackUrlInvalid saying why not."""
    if len(url) > URL_MAX:
        raise CallbackUrlInvalid(f"a callback URL has at most {URL_MAX} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise CallbackUrlInvalid(f"it is not a valid URL ({error}).") from None
    if parts.scheme not in ("http", "https"):
        raise CallbackUrlInvalid("only http:// and https:// callback URLs are accepted.")
    host = parts.hostname
    if not host:
        raise CallbackUrlInvalid("the URL names no host.")
    if parts.username is not None or parts.password is not None:
        raise CallbackUrlInvalid(
            "the URL may not hold credentials; verify the X-Lectern-Signature header instead."
        )
    if any(ord(char) < 33 for char in url):
        raise CallbackUrlInvalid("the URL may not contain spaces or control characters.")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port)
    if not settings.CALLBACKS_ALLOW_PRIVATE:
        private = [address for address in addresses if not _address_is_public(address)]
        if private:
            raise CallbackUrlInvalid(
                f"{host} resolves to {private[0]}, a private, loopback, link-local or "
                "reserved address; callbacks go to public addresses only."
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return CallbackTarget(scheme=parts.scheme, host=host, port=port, path=path, addresses=addresses)


def callback_url_check(*, url: str) -> str:
    """The URL if a callback may go there; raises CallbackUrlInvalid otherwise."""
    callback_target_resolve(url=url)
    return url


def callback_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The X-Lectern-Signature value: sha256=<hex HMAC-SHA256 of
    "<X-Lectern-Timestamp>.<the exact body>">."""
    signed = timestamp.encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def callback_retry_delay(*, attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed try: base, 2 base, 4 base, ..."""
    return float(settings.CALLBACK_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def callback_payload(*, submission: Submission) -> dict[str, Any]:
    """What is POSTed: the submission's final state and its result document."""
    summary = submission_summary(submission=submission)
    return {
        "event": "submission.completed",
        "submission": CallbackSubmissionOut.model_validate(summary).model_dump(mode="json"),
        "result": submission.result,
    }


def callback_body(*, submission: Submission) -> bytes:
    # Sorted keys and fixed separators: every try of a delivery sends the same bytes.
    payload = callback_payload(submission=submission)
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def _connect_to(address: str, port: int) -> Callable[..., socket.socket]:
    """A replacement for http.client's socket.create_connection that connects
    to the address that was checked, whatever the host name resolves to now."""

    def connect(_address: object, timeout: float | None = None, *_: object) -> socket.socket:
        return socket.create_connection((address, port), timeout=timeout)

    return connect


def _post(target: CallbackTarget, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST to the first checked address that accepts a connection; the status code.
    TLS (server name, certificate) and the Host header still use the host's name."""
    last_error: OSError | None = None
    for address in target.addresses:
        connection_class = (
            http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(target.host, target.port, timeout=timeout)
        connection._create_connection = _connect_to(address, target.port)  # type: ignore[attr-defined]
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(64 * 1024)
            return response.status
        except ConnectionRefusedError as error:
            last_error = error
        finally:
            connection.close()
    raise last_error or OSError("no address to connect to")


def _delivery_claim(*, delivery_id: int, worker: str) -> bool:
    now = timezone.now()
    free = Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lt=now)
    hold = timedelta(seconds=settings.CALLBACK_TIMEOUT_SECONDS * 2 + 30)
    # No join (submission__status): Django would put every condition in a
    # subquery, which PostgreSQL does not check again once a concurrent claim
    # commits, and two workers would both win. The delivery's own columns stay
    # in the UPDATE's WHERE, which it does check again.
    final = Submission.objects.filter(status__in=_FINAL).values("pk")
    claimed = CallbackDelivery.objects.filter(
        free,
        pk=delivery_id,
        delivered_at__isnull=True,
        failed_at__isnull=True,
        next_attempt_at__lte=now,
        submission_id__in=final,
    ).update(claimed_by=worker, claim_expires_at=now + hold)
    return claimed == 1


def callback_attempt(*, delivery_id: int, worker: str) -> bool | None:
    """Make the next try of one delivery if this worker can claim it.

    None when it was not ours to make; otherwise whether the receiver took it.
    """
    if not _delivery_claim(delivery_id=delivery_id, worker=worker):
        return None
    delivery = CallbackDelivery.objects.select_related(
        "token", "submission__exercise", "submission__user", "submission__submitted_by"
    ).get(pk=delivery_id)
    body = callback_body(submission=delivery.submission)
    number = delivery.attempts + 1
    started = timezone.now()
    clock = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        target = callback_target_resolve(url=delivery.url)
        timestamp = str(int(started.timestamp()))
        signature = callback_signature(
            secret=delivery.token.signing_secret, timestamp=timestamp, body=body
        )
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Lectern-Callback/1",
            SIGNATURE_HEADER: signature,
            TIMESTAMP_HEADER: timestamp,
            "X-Lectern-Delivery": str(delivery.pk),
            "X-Lectern-Attempt": str(number),
            "X-Lectern-Event": "submission.completed",
        }
        status_code = _post(target, body, headers, settings.CALLBACK_TIMEOUT_SECONDS)
        if not 200 <= status_code < 300:
            error = f"the receiver answered {status_code}"
    except CallbackUrlInvalid as refused:
        error = f"refused: {refused.message}"
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"[:_ERROR_MAX]
    delivered = not error
    finished = timezone.now()
    retry_at = None
    if not delivered and number < settings.CALLBACK_MAX_ATTEMPTS:
        retry_at = finished + timedelta(seconds=callback_retry_delay(attempts=number))
    with transaction.atomic():
        CallbackAttempt.objects.create(
            delivery=delivery,
            number=number,
            attempted_at=started,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - clock) * 1000),
            retry_at=retry_at,
        )
        CallbackDelivery.objects.filter(pk=delivery.pk, claimed_by=worker).update(
            attempts=number,
            last_status=status_code,
            last_error=error,
            delivered_at=finished if delivered else None,
            failed_at=finished if not delivered and retry_at is None else None,
            next_attempt_at=retry_at or delivery.next_attempt_at,
            claimed_by="",
            claim_expires_at=None,
        )
    if delivered:
        logger.info("callback of %s delivered to %s", delivery.submission_id, delivery.url)
    elif retry_at is None:
        logger.warning(
            "callback of %s to %s failed %d times; giving up: %s",
            delivery.submission_id,
            delivery.url,
            number,
            error,
        )
    return delivered


def callbacks_deliver_due(*, worker: str, limit: int = 20) -> int:
    """Make the tries that are due (final submissions, next_attempt_at passed);
    returns how many were delivered. Safe to call from several processes."""
    now = timezone.now()
    free = Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lt=now)
    due = (
        CallbackDelivery.objects.filter(
            free,
            delivered_at__isnull=True,
            failed_at__isnull=True,
            next_attempt_at__lte=now,
            submission__status__in=_FINAL,
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    delivered = 0
    for delivery_id in list(due):
        if callback_attempt(delivery_id=delivery_id, worker=worker):
            delivered += 1
    return delivered


def callbacks_sweep() -> int:
    """The periodic job of the grader's sweep: deliver what is due, as this process."""
    return callbacks_deliver_due(worker=f"{worker_name()}:callbacks")
