"""What docs/api.md says of a refused submission WebSocket, against a real Daphne
and a real WebSocket client: a rejected token, someone else's submission and an
unknown id are all refused at the handshake with HTTP 403 (the socket never
opens), while the owner's socket opens and receives the events."""

import json
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from accounts.services import api_token_create, api_token_revoke
from grader.services import submission_create
from lessons.models import Exercise
from tests.conftest import exercise_files
from tests.live_server import Site, daphne_server, live_database_url

pytestmark = pytest.mark.django_db(transaction=True)

OPEN_TIMEOUT = 30.0


def handshake_status(url: str, headers: dict[str, str], origin: str | None = None) -> int:
    """101 when the socket opens (after reading its first message), else the
    HTTP status that refused the handshake."""
    try:
        with connect(
            url,
            additional_headers=headers,
            origin=Origin(origin) if origin else None,
            open_timeout=OPEN_TIMEOUT,
        ) as websocket:
            assert json.loads(websocket.recv(timeout=OPEN_TIMEOUT))["type"] == "queued"
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


def test_a_socket_that_is_not_yours_is_refused_at_the_handshake_with_403(
    flask_exercise: Exercise, learner: User, other_learner: User, tmp_path: Path
) -> None:
    submission = submission_create(
        exercise=flask_exercise, files=exercise_files("starter"), user=learner
    )
    mine = api_token_create(user=learner, name="laptop").raw_token
    theirs = api_token_create(user=other_learner, name="theirs").raw_token
    revoked = api_token_create(user=learner, name="old")
    api_token_revoke(user=learner, token_id=revoked.token.pk)

    # No grader in the server: the submission stays queued, its socket stays open.
    with daphne_server(
        database_url=live_database_url(), log_dir=tmp_path, GRADER_INLINE_AUTOSTART="0"
    ) as site:
        url = f"{site.ws_base}/ws/submissions/{submission.id}/"
        unknown = f"{site.ws_base}/ws/submissions/{uuid.uuid4()}/"

        def bearer(token: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"}

        # The owner's token opens it: the refusals below are not a broken server.
        assert handshake_status(url, bearer(mine)) == 101
        assert handshake_status(url, bearer(theirs)) == 403
        assert handshake_status(unknown, bearer(mine)) == 403
        assert handshake_status(url, bearer(revoked.raw_token)) == 403
        assert handshake_status(url, bearer("lct_" + "x" * 40)) == 403

        # A browser: the session of another learner, from the site's own origin
        # (a second client of the same server, with a cookie jar of its own).
        browser = Site(int(site.base.rsplit(":", 1)[1]))
        browser.log_in_as(other_learner)
        cookie = {"Cookie": f"sessionid={browser.cookie('sessionid')}"}
        assert handshake_status(url, cookie, origin=site.base) == 403
        site.log_in_as(learner)
        own_cookie = {"Cookie": f"sessionid={site.cookie('sessionid')}"}
        assert handshake_status(url, own_cookie, origin=site.base) == 101
