"""The sandbox protocol is defined in one file (the harness's lectern_protocol.py,
which the host imports as sandboxes.protocol): its framings, and that no
record type is spelled out anywhere else."""

import re
from pathlib import Path

from sandboxes.protocol import HostRecord, RunnerRecord, message_encode, signed_line, signed_record

HARNESS = Path(__file__).resolve().parents[2] / "sandboxes" / "images" / "python" / "harness"
KEY = b"k" * 32


def test_a_signed_record_reads_back_and_a_changed_byte_does_not() -> None:
    line = signed_line(KEY, {"type": HostRecord.TEST, "seq": 1, "nodeid": "t"})

    assert signed_record(KEY, line) == {"type": "test", "seq": 1, "nodeid": "t"}
    assert signed_record(b"x" * 32, line) is None
    forged = line.replace(b'"t"', b'"u"')
    assert signed_record(KEY, forged) is None


def test_a_message_is_its_length_then_its_json() -> None:
    assert message_encode({"a": 1}) == b'8\n{"a": 1}'


def test_no_record_type_is_spelled_out_outside_the_protocol() -> None:
    types = {str(kind) for kind in (*HostRecord, *RunnerRecord)}
    spelled = []
    for path in [*HARNESS.glob("*.py"), Path(__file__).parents[2] / "sandboxes" / "runner.py"]:
        if path.name == "lectern_protocol.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for found in re.findall(r'(?:"type": |kind == |type"\) == )"(\w+)"', line):
                if found in types:
                    spelled.append(f"{path.name}:{number}: {found}")
    assert spelled == []
