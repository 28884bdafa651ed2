"""The harness's control channel between its processes (harness/control.py)."""

import socket
from types import ModuleType

import pytest

from tests.sandboxes.test_http_mode import harness_module


@pytest.fixture
def control() -> ModuleType:
    return harness_module("control")


def test_a_peer_that_died_with_messages_unread_is_an_end_of_stream(control: ModuleType) -> None:
    """Linux answers a read with ECONNRESET when the other end closed with data
    of ours unread: the supervisor meets it when learner code kills its own
    process while being told to end, and must take it for the learner's end."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    channel = control.Control(ours)
    channel.send({"cmd": "end"})
    theirs.close()  # with the message unread

    assert channel.request({"cmd": "end"}, timeout=1.0) is None
    assert channel.receive() is None
    assert channel.closed
