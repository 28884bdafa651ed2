"""The host's side of the sandbox protocol: the very file the harness imports
inside the container (images/python/harness/lectern_protocol.py), so both ends read
one definition of the framings and the record types."""

from sandboxes.images.python.harness.lectern_protocol import (
    HostRecord,
    LearnerEvent,
    Outcome,
    RunnerRecord,
    message_encode,
    signed_line,
    signed_record,
)

__all__ = [
    "HostRecord",
    "LearnerEvent",
    "Outcome",
    "RunnerRecord",
    "message_encode",
    "signed_line",
    "signed_record",
]
