"""Function mode's protocol (sandboxes/images/python/harness/lectern_rpc.py), on the host:
the learner side runs in a real subprocess over a socketpair, this process is the test
runner with stand-in modules. No Docker, no database."""

import copy
import datetime
import decimal
import fractions
import gc
import importlib
import math
import os
import re
import select
import socket
import subprocess
import sys
import textwrap
import unittest
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

HARNESS = Path(__file__).resolve().parents[2] / "sandboxes" / "images" / "python" / "harness"
sys.path.insert(0, str(HARNESS))
rpc: Any = importlib.import_module("lectern_rpc")

# argv: harness dir, learner root, socket fd
LEARNER_MAIN = """
import socket, sys
sys.path.insert(0, sys.argv[1])
import lectern_rpc
sys.path[0] = sys.argv[2]
def flush():
    sys.stdout.flush()
    sys.stderr.flush()
lectern_rpc.serve_functions(socket.socket(fileno=int(sys.argv[3])), before_reply=flush)
"""

# A learner side that answers the first request with argv[5] (hex; b"ID" replaced by the
# request's id), framed if argv[4] is "frame", as raw bytes otherwise.
HOSTILE_MAIN = """
import json, socket, sys
sock = socket.socket(fileno=int(sys.argv[3]))
buffer = b""
def read():
    global buffer
    while len(buffer) < 4 or len(buffer) < 4 + int.from_bytes(buffer[:4], "big"):
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit(0)
        buffer += chunk
    size = int.from_bytes(buffer[:4], "big")
    frame, buffer = buffer[4 : 4 + size], buffer[4 + size :]
    return json.loads(frame)
request = read()
while "id" not in request:
    request = read()
answer = bytes.fromhex(sys.argv[5]).replace(b"ID", str(request["id"]).encode())
if sys.argv[4] == "deep":
    answer = b"[" * 100_000 + b"]" * 100_000
if sys.argv[4] != "raw":
    answer = len(answer).to_bytes(4, "big") + answer
sock.sendall(answer)
sock.recv(1)
"""

Start = Callable[..., "subprocess.Popen[bytes]"]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """start(files, *, names=..., script=..., argv=...): write the learner's files, start
    its process, install stand-ins for `names` (default: the files' top-level names)."""
    started: list[tuple[Any, socket.socket, subprocess.Popen[bytes]]] = []

    def start_learner(
        files: dict[str, str],
        *,
        names: list[str] | None = None,
        script: str = LEARNER_MAIN,
        argv: tuple[str, ...] = (),
    ) -> subprocess.Popen[bytes]:
        for relative, text in files.items():
            path = tmp_path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        ours, theirs = socket.socketpair()
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                str(HARNESS),
                str(tmp_path),
                str(theirs.fileno()),
                *argv,
            ],
            pass_fds=[theirs.fileno()],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
        )
        theirs.close()
        if names is None:
            names = [Path(relative).parts[0].removesuffix(".py") for relative in files]
        importer = rpc.install_standins(ours, names)
        started.append((importer, ours, process))
        return process

    yield start_learner
    for importer, ours, process in started:
        importer.uninstall()
        ours.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


def location(exc: BaseException) -> Any:
    return vars(exc)["lectern_learner_location"]


def line_of(source: str, text: str) -> int:
    lines = textwrap.dedent(source).splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


APP = """
import os

def echo(x):
    return x

def open_log():
    return open("log.txt", "w")

def recursive():
    loop = []
    loop.append(loop)
    return loop

def shout():
    print("hi")
    return "done"

def leave_now():
    os._exit(3)

async def later():
    return 1

class Shouty(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
    def __str__(self):
        return "lies"

class MyList(list):
    def __iter__(self):
        return iter(["lies"])
    def copy(self):
        return ["lies"]

class MyDict(dict):
    def items(self):
        return [("lies", 1)]
    def __iter__(self):
        return iter(["lies"])

class MyInt(int):
    def __int__(self):
        return 0
    def __index__(self):
        return 0

class MyFloat(float):
    def __float__(self):
        return 0.0

class MyBytes(bytes):
    def __bytes__(self):
        return b"lies"

class MyTuple(tuple):
    def __iter__(self):
        return iter(["lies"])

class MySet(set):
    def __iter__(self):
        return iter(["lies"])

def subclasses():
    return [
        Shouty("real"), MyList([1, 2]), MyDict(a=1), MyInt(7), MyFloat(2.5),
        MyBytes(b"real"), MyTuple((1, 2)), MySet({3}), frozenset({MyInt(4)}),
    ]
"""


def canon(v: Any) -> Any:
    """The value with every type spelled out (True is not 1, a tuple not a list)."""
    if type(v) in (list, tuple):
        return (type(v).__name__, [canon(x) for x in v])
    if type(v) is dict:
        return ("dict", [(canon(k), canon(x)) for k, x in v.items()])
    if type(v) in (set, frozenset):
        return (type(v).__name__, sorted(repr(canon(x)) for x in v))
    return (type(v).__name__, repr(v))


def test_data_crosses_by_value_both_ways(start: Start) -> None:
    start({"app.py": APP})
    app = importlib.import_module("app")
    values = [
        None,
        True,
        False,
        0,
        -5,
        2**5000,
        -(2**300),
        1.5,
        -0.0,
        float("inf"),
        float("-inf"),
        "",
        "héllo \ud800 \x00",
        b"\x00\xff",
        [1, [2, [3, []]]],
        (1, "a", None, ()),
        {"k": [1], 2: (3,), (1, 2): frozenset({1}), None: {}},
        {1, "a", (2, b"x")},
        frozenset({frozenset({1})}),
        [True, 1, 1.0, "1", b"1", (True,), {False: 0}],
    ]
    for value in values:
        back = app.echo(value)
        assert back == value
        assert canon(back) == canon(value)
    assert math.isnan(app.echo(float("nan")))
    assert app.echo(True) is True
    assert type(app.echo(1)) is int


def test_subclasses_arrive_as_the_plain_builtin_type(start: Start) -> None:
    start({"app.py": APP})
    values = importlib.import_module("app").subclasses()
    assert [type(v) for v in values] == [
        str,
        list,
        dict,
        int,
        float,
        bytes,
        tuple,
        set,
        frozenset,
    ]
    assert values == ["real", [1, 2], {"a": 1}, 7, 2.5, b"real", (1, 2), {3}, frozenset({4})]
    # The str subclass whose __eq__ said True is a plain str here and compares normally.
    assert values[0] != "anything else"
    assert type(next(iter(values[8]))) is int


VALUES = """
import datetime, decimal, fractions

def echo(x):
    return x

def kinds(*values):
    return [type(v).__name__ for v in values]

def total(numbers):
    return sum(numbers)

def made_here():
    return [range(2, 10, 3), 1 + 2j, bytearray(b"ab"), datetime.date(2024, 2, 29),
            datetime.timedelta(hours=1), decimal.Decimal("2.50"), fractions.Fraction(1, 3)]

class Zone(datetime.tzinfo):
    def utcoffset(self, dt):
        return datetime.timedelta(hours=2)

def zoned():
    return datetime.datetime(2024, 1, 1, tzinfo=Zone())

class LyingDate(datetime.date):
    @property
    def year(self):
        return 1
    def __str__(self):
        return "lies"

class LyingDatetime(datetime.datetime):
    @property
    def hour(self):
        return 0
    @property
    def tzinfo(self):
        return None

class LyingDelta(datetime.timedelta):
    @property
    def days(self):
        return 0

class LyingComplex(complex):
    @property
    def real(self):
        return 0.0

class LyingDecimal(decimal.Decimal):
    def __str__(self):
        return "0"

class LyingFraction(fractions.Fraction):
    @property
    def numerator(self):
        return 0

class LyingBytearray(bytearray):
    def copy(self):
        return bytearray(b"lies")
    def __iter__(self):
        return iter(b"lies")

def subclasses():
    utc = datetime.timezone.utc
    return [
        LyingDate(2024, 5, 6), LyingDatetime(2024, 5, 6, 7, 8, tzinfo=utc), LyingDelta(days=3),
        LyingComplex(1, 2), LyingDecimal("1.5"), LyingFraction(3, 4), LyingBytearray(b"real"),
    ]
"""

INDIA = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
BRAZIL = datetime.timezone(-datetime.timedelta(hours=3), "BRT")
MORE_VALUES = [
    range(4),
    range(-5, 10**30, 7),
    range(0),
    complex(1.5, -2),
    complex(0, float("inf")),
    bytearray(b"\x00ab"),
    bytearray(),
    datetime.date(2024, 2, 29),
    datetime.date.min,
    datetime.date.max,
    datetime.datetime(2024, 2, 29, 23, 59, 58, 999_999),
    datetime.datetime(2021, 11, 7, 1, 30, fold=1),
    datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.UTC),
    datetime.datetime(2024, 1, 1, 12, tzinfo=INDIA),
    datetime.datetime(2024, 1, 1, 12, tzinfo=BRAZIL),
    datetime.time(),
    datetime.time(23, 59, 59, 1, tzinfo=BRAZIL, fold=1),
    datetime.timedelta(days=-1, seconds=5, microseconds=7),
    datetime.timedelta.max,
    datetime.timedelta.min,
    decimal.Decimal("1.10"),
    decimal.Decimal("-0"),
    decimal.Decimal("-Infinity"),
    decimal.Decimal("sNaN"),
    decimal.Decimal("NaN12"),
    decimal.Decimal("1E+999999"),
    decimal.Decimal("0.000001234"),
    fractions.Fraction(-3, 4),
    fractions.Fraction(2**300, 3),
    datetime.UTC,
    BRAZIL,
    [
        range(3),
        {"when": datetime.date(2024, 1, 1)},
        (decimal.Decimal(1), {fractions.Fraction(1, 2)}),
    ],
]


def test_more_value_types_cross_by_value_both_ways(start: Start) -> None:
    start({"values.py": VALUES})
    values = importlib.import_module("values")
    for value in MORE_VALUES:
        back = values.echo(value)
        assert canon(back) == canon(value)  # repr() shows every field, tzinfo and fold too
    assert values.echo(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)).tzinfo is datetime.UTC
    assert values.echo(BRAZIL).tzname(None) == "BRT"
    # The learner gets the real types: a range, not a list (a public-track solution needs it).
    assert values.total(range(4)) == 6
    assert values.kinds(*MORE_VALUES[:-1]) == [type(v).__name__ for v in MORE_VALUES[:-1]]
    assert values.made_here() == [
        range(2, 10, 3),
        1 + 2j,
        bytearray(b"ab"),
        datetime.date(2024, 2, 29),
        datetime.timedelta(hours=1),
        decimal.Decimal("2.50"),
        fractions.Fraction(1, 3),
    ]


class MyDate(datetime.date):
    @property
    def year(self) -> int:
        return 1


class MyDecimal(decimal.Decimal):
    def __str__(self) -> str:
        return "0"


def test_subclasses_of_the_value_types_arrive_as_the_plain_type(start: Start) -> None:
    start({"values.py": VALUES})
    values = importlib.import_module("values")
    got = values.subclasses()
    expected = [
        datetime.date(2024, 5, 6),
        datetime.datetime(2024, 5, 6, 7, 8, tzinfo=datetime.UTC),
        datetime.timedelta(days=3),
        complex(1, 2),
        decimal.Decimal("1.5"),
        fractions.Fraction(3, 4),
        bytearray(b"real"),
    ]
    assert canon(got) == canon(expected)
    # And the other way: the learner gets the plain types, with the real values.
    mine = [MyDate(2024, 5, 6), MyDecimal("1.5")]
    assert values.kinds(*mine) == ["date", "Decimal"]
    assert canon(values.echo(mine)) == canon([datetime.date(2024, 5, 6), decimal.Decimal("1.5")])


def test_datetimes_with_other_tzinfos_cannot_cross_from_the_learner(start: Start) -> None:
    start({"values.py": VALUES})
    values = importlib.import_module("values")
    with pytest.raises(
        TypeError,
        match=r"^values\.zoned\(\) returned a datetime\.datetime, which cannot cross from the "
        r"learner process \(its tzinfo is a values\.Zone, not a datetime\.timezone\)$",
    ):
        values.zoned()
    assert values.echo(1) == 1


def test_values_that_cannot_cross_from_the_learner_fail_the_call_only(start: Start) -> None:
    start({"app.py": APP})
    app = importlib.import_module("app")
    with pytest.raises(
        TypeError,
        match=r"^app\.open_log\(\) returned a _io\.TextIOWrapper, which cannot cross from the "
        r"learner process",
    ):
        app.open_log()
    with pytest.raises(TypeError, match=r"app\.recursive\(\) returned a list.*nested"):
        app.recursive()
    assert app.echo("still serving") == "still serving"


class Zone(datetime.tzinfo):
    def utcoffset(self, dt: datetime.datetime | None) -> datetime.timedelta:
        return datetime.timedelta(hours=1)

    def dst(self, dt: datetime.datetime | None) -> datetime.timedelta:
        return datetime.timedelta(0)

    def tzname(self, dt: datetime.datetime | None) -> str:
        return "Zone"


def test_values_that_cannot_cross_to_the_learner_fail_at_the_call_site(start: Start) -> None:
    start({"app.py": APP})
    app = importlib.import_module("app")
    with pytest.raises(TypeError, match=r"^cannot pass a object to app\.echo\(\): only None, bool"):
        app.echo(object())
    moment = datetime.datetime(2024, 1, 1, tzinfo=Zone())
    with pytest.raises(
        TypeError,
        match=r"^cannot pass a datetime\.datetime to app\.echo\(\): only .* \(its tzinfo is a "
        rf"{re.escape(Zone.__module__)}\.Zone, not a datetime\.timezone\)$",
    ):
        app.echo([1, {"when": moment}])
    with pytest.raises(TypeError, match=r"cannot pass a datetime\.time .*tzinfo is a"):
        app.echo(datetime.time(1, tzinfo=Zone()))
    deep: list[Any] = []
    for _ in range(150):
        deep = [deep]
    with pytest.raises(TypeError, match="nested more than 100 deep"):
        app.echo(deep)
    assert app.echo(1) == 1


def test_printed_output_reaches_its_pipe_before_the_answer(start: Start) -> None:
    process = start({"app.py": APP})
    assert importlib.import_module("app").shout() == "done"
    assert process.stdout is not None
    fd = process.stdout.fileno()
    assert select.select([fd], [], [], 10)[0] == [fd]
    assert os.read(fd, 100) == b"hi\n"


CLOCK = """
class Clock:
    def __init__(self, hour, minute=0):
        self.hour, self.minute = hour, minute
    def __str__(self):
        return f"{self.hour:02}:{self.minute:02}"
    def __repr__(self):
        return f"Clock({self.hour}, {self.minute})"
    def __eq__(self, other):
        return isinstance(other, Clock) and str(self) == str(other)
    def __hash__(self):
        return hash(str(self))
    def __add__(self, minutes):
        total = self.hour * 60 + self.minute + minutes
        return Clock(total // 60 % 24, total % 60)
    __radd__ = __add__
    def __lt__(self, other):
        return str(self) < str(other)
    def __neg__(self):
        return Clock((24 - self.hour) % 24, self.minute)
    def __iter__(self):
        return iter((self.hour, self.minute))
    def __len__(self):
        return 2
    def __getitem__(self, i):
        return (self.hour, self.minute)[i]
    def __contains__(self, x):
        return x in (self.hour, self.minute)
    def __enter__(self):
        return "entered"
    def __exit__(self, kind, exc, tb):
        self.left_with = None if kind is None else (kind.__name__, str(exc))
        return kind is ValueError

def count_up(n):
    yield from range(n)

def same(a, b):
    return a is b
"""


def test_learner_objects_are_handles(start: Start) -> None:
    start({"clock.py": CLOCK})
    clock = importlib.import_module("clock")
    c = clock.Clock(8)
    assert str(c) == "08:00"
    assert repr(c) == "Clock(8, 0)"
    assert f"{c}!" == "08:00!"
    assert str(c + 30) == "08:30"
    assert str(90 + c) == "09:30"
    assert str(-c) == "16:00"
    assert c < clock.Clock(9)
    assert list(c) == [8, 0]
    assert len(c) == 2
    assert c[0] == 8
    assert 8 in c
    assert bool(c)
    assert hash(c) == hash(clock.Clock(8, 0))
    assert len({c, clock.Clock(8, 0), clock.Clock(9)}) == 2
    assert c.hour == 8
    c.hour = 9
    assert str(c) == "09:00"
    del c.minute
    with pytest.raises(AttributeError):
        _ = c.minute
    c.minute = 0
    # Handles passed back are the learner's objects again.
    assert clock.same(c, c) is True
    with c as entered:
        assert entered == "entered"
    assert c.left_with is None
    with c:
        raise ValueError("suppressed by the learner's __exit__")
    assert c.left_with == ("ValueError", "suppressed by the learner's __exit__")
    assert list(clock.count_up(3)) == [0, 1, 2]
    generator = clock.count_up(1)
    assert next(generator) == 0
    with pytest.raises(StopIteration):
        next(generator)
    with pytest.raises(TypeError, match="cannot be copied"):
        copy.copy(c)


def test_a_handle_never_equals_a_plain_value(start: Start) -> None:
    start({"clock.py": CLOCK})
    clock = importlib.import_module("clock")
    c = clock.Clock(8)
    assert (c == "08:00") is False
    assert ("08:00" == c) is False  # noqa: SIM300
    assert (c != "08:00") is True
    assert ("08:00" != c) is True  # noqa: SIM300
    assert (c == 8) is False
    # Between handles, the learner answers.
    assert (c == clock.Clock(8, 0)) is True
    assert (c != clock.Clock(8, 0)) is False
    assert (c == clock.Clock(9)) is False
    assert clock.Clock(8) in [clock.Clock(7), clock.Clock(8)]


def test_coroutines_are_handles_that_cannot_be_awaited(start: Start) -> None:
    start({"app.py": APP})
    coroutine = importlib.import_module("app").later()
    assert "coroutine" in repr(coroutine)

    async def wait_for(awaitable: Any) -> Any:
        return await awaitable

    waiting = wait_for(coroutine)
    with pytest.raises(TypeError, match="await"):
        waiting.send(None)
    coroutine.close()


STACK = """
class StackError(Exception):
    pass

class StackUnderflowError(StackError, IndexError):
    def __init__(self):
        super().__init__("pop from an empty stack")

class Stack:
    def __init__(self):
        self.items = []

    def pop(self):
        if not self.items:
            raise StackUnderflowError()
        return self.items.pop()
"""


def test_learner_exception_classes_are_recreated_and_match(start: Start) -> None:
    start({"stack.py": STACK})
    namespace: dict[str, Any] = {}
    exec("from stack import Stack, StackError, StackUnderflowError", namespace)  # noqa: S102
    underflow, stack_error = namespace["StackUnderflowError"], namespace["StackError"]
    assert isinstance(underflow, type)
    assert issubclass(underflow, stack_error)
    assert issubclass(underflow, IndexError)
    names = (underflow.__name__, underflow.__qualname__, underflow.__module__)
    assert names == ("StackUnderflowError", "StackUnderflowError", "stack")
    with pytest.raises(underflow) as info:
        namespace["Stack"]().pop()
    assert type(info.value) is underflow
    assert str(info.value) == "pop from an empty stack"
    assert location(info.value) == {
        "file": "stack.py",
        "line": line_of(STACK, "raise StackUnderflowError()"),
    }
    (note,) = info.value.__notes__
    assert "raise StackUnderflowError()" in note
    assert "lectern_rpc" not in note
    unittest.TestCase().assertRaises(stack_error, namespace["Stack"]().pop)


ERRORS = """
class Thing:
    def __repr__(self):
        return "<a thing>"

def fail(kind, *args):
    raise {"value": ValueError, "key": KeyError, "os": OSError}[kind](*args)

def divide(a, b):
    return a / b

def with_thing():
    raise ValueError("bad", Thing())

def stop():
    raise StopIteration(5)

def check():
    assert 1 == 2, "nope"
"""


def test_builtin_exceptions_keep_their_type_and_args(start: Start) -> None:
    start({"errors.py": ERRORS})
    errors = importlib.import_module("errors")
    with pytest.raises(ValueError) as value_error:
        errors.fail("value", "bad", 3)
    assert type(value_error.value) is ValueError
    assert value_error.value.args == ("bad", 3)
    assert location(value_error.value)["file"] == "errors.py"
    with pytest.raises(KeyError) as key_error:
        errors.fail("key", "k")
    assert str(key_error.value) == "'k'"
    with pytest.raises(OSError) as os_error:
        errors.fail("os", 2, "gone")
    assert os_error.value.errno == 2
    with pytest.raises(ZeroDivisionError):
        errors.divide(1, 0)
    with pytest.raises(ValueError) as with_thing:
        errors.with_thing()
    assert with_thing.value.args == ("bad", "<a thing>")
    with pytest.raises(StopIteration) as stop:
        errors.stop()
    assert stop.value.args == (5,)
    with pytest.raises(AssertionError, match="nope"):
        errors.check()
    assert errors.divide(4, 2) == 2.0


OUTCOMES = """
import sys

def interrupt():
    raise KeyboardInterrupt("ctrl-c")

def leave():
    sys.exit(3)

def close():
    raise GeneratorExit

def skip():
    import pytest
    pytest.skip("not today")

def fail():
    import pytest
    pytest.fail("no")

class Custom(BaseException):
    pass

def custom():
    raise Custom("mine")
"""


@pytest.mark.parametrize(
    ("function", "name", "message"),
    [
        ("interrupt", "KeyboardInterrupt", "learner code raised KeyboardInterrupt: ctrl-c"),
        ("leave", "SystemExit", "learner code raised SystemExit: 3"),
        ("close", "GeneratorExit", "learner code raised GeneratorExit"),
        ("skip", "Skipped", "learner code raised Skipped: not today"),
        ("fail", "Failed", "learner code raised Failed: no"),
        ("custom", "Custom", "learner code raised Custom: mine"),
    ],
)
def test_base_exceptions_arrive_as_learner_raised(
    start: Start, function: str, name: str, message: str
) -> None:
    start({"outcomes.py": OUTCOMES})
    outcomes = importlib.import_module("outcomes")
    with pytest.raises(rpc.LearnerRaised) as info:
        getattr(outcomes, function)()
    exc = info.value
    assert type(exc).__name__ == name
    assert str(exc) == message
    assert isinstance(exc, Exception)
    special = (KeyboardInterrupt, SystemExit, GeneratorExit)
    assert not isinstance(exc, (*special, pytest.skip.Exception, pytest.fail.Exception))
    if function == "interrupt":
        assert type(exc).__module__ == "learner"
    assert "Traceback in the learner process" in exc.__notes__[0]
    assert outcomes.interrupt is not None  # the learner process serves on


KINDS = """
import abc

class Clock:
    pass

class Alarm(Clock):
    pass

class Number(abc.ABC):
    pass

Number.register(int)

clock = Clock()
"""


def test_isinstance_and_issubclass_with_learner_classes_ask_the_learner(start: Start) -> None:
    start({"kinds.py": KINDS})
    kinds = importlib.import_module("kinds")
    clock, alarm = kinds.Clock(), kinds.Alarm()
    assert isinstance(clock, kinds.Clock) is True
    assert isinstance(alarm, kinds.Clock) is True
    assert isinstance(clock, kinds.Alarm) is False
    assert isinstance(kinds.clock, (str, kinds.Alarm, kinds.Clock)) is True
    # Data crosses to be checked; an object of the test's process is no learner instance.
    assert isinstance(5, kinds.Number) is True
    assert isinstance("5", kinds.Number) is False
    assert isinstance(object(), kinds.Clock) is False
    assert isinstance(lambda: 1, kinds.Clock) is False
    assert issubclass(kinds.Alarm, kinds.Clock) is True
    assert issubclass(kinds.Clock, kinds.Alarm) is False
    assert issubclass(int, kinds.Clock) is False
    five: Any = 5
    with pytest.raises(TypeError, match="must be a class"):
        issubclass(five, kinds.Clock)
    with pytest.raises(TypeError, match="isinstance"):  # the learner's own error
        isinstance(1, clock)
    case = unittest.TestCase()
    case.assertIsInstance(alarm, kinds.Clock)
    case.assertNotIsInstance(clock, kinds.Alarm)
    with pytest.raises(AssertionError, match=r"is not an instance of <class 'kinds\.Alarm'>"):
        case.assertIsInstance(clock, kinds.Alarm)


EXCEPTIONS = """
import datetime

class Thing:
    pass

class HttpError(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.message, self.code = message, code
        self.when = datetime.date(2024, 1, 1)
        self.thing = Thing()
        self._private = "hidden"
        self.stream = open(__file__)
        self.big = "x" * 100_000
        self.with_traceback = "not the method"

class Many(Exception):
    def __init__(self):
        for i in range(30):
            setattr(self, f"a{i:02}", i)

def http(code):
    raise HttpError("not found", code)

def value_error():
    exc = ValueError("bad")
    exc.detail = {"field": "name"}
    raise exc

def many():
    raise Many()
"""


def test_learner_exceptions_carry_their_public_attributes(start: Start) -> None:
    start({"exceptions.py": EXCEPTIONS})
    exceptions = importlib.import_module("exceptions")
    with pytest.raises(exceptions.HttpError) as info:
        exceptions.http(404)
    exc: Any = info.value
    assert (exc.message, exc.code, exc.when) == ("not found", 404, datetime.date(2024, 1, 1))
    assert type(exc.thing) is rpc.Handle
    assert isinstance(exc.thing, exceptions.Thing)
    attributes = set(vars(exc)) - {"_lectern_str", "lectern_learner_location", "__notes__"}
    assert attributes == {"message", "code", "when", "thing"}  # no file, too large, method
    assert callable(exc.with_traceback)
    case = unittest.TestCase()
    with case.assertRaises(exceptions.HttpError) as caught:
        exceptions.http(500)
    assert caught.exception.code == 500
    with pytest.raises(ValueError) as value_error:
        exceptions.value_error()
    assert value_error.value.detail == {"field": "name"}  # type: ignore[attr-defined]
    with pytest.raises(exceptions.Many) as many:
        exceptions.many()
    assert sorted(name for name in vars(many.value) if name.startswith("a")) == [
        f"a{i:02}" for i in range(20)
    ]


CALLBACKS = """
def apply_twice(f, x):
    return f(f(x))

def double(x):
    return 2 * x

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

def call_with_point(f):
    return f(Point(1, 2))

def catch(f):
    try:
        f()
    except AssertionError as exc:
        return f"caught {type(exc).__name__}: {exc}"

def call(f, *args, **kwargs):
    return f(*args, **kwargs)

def same(f):
    return f

def swallow(f):
    try:
        f()
    except BaseException as exc:
        return repr(exc)

def attributes(f):
    names = ["__name__", "__code__", "__globals__", "__closure__", "__self__", "__dict__"]
    return [name for name in names if hasattr(f, name)]
"""


class Oops(Exception):
    pass


def test_callables_cross_as_callbacks(start: Start) -> None:
    start({"callbacks.py": CALLBACKS})
    callbacks = importlib.import_module("callbacks")
    seen: list[int] = []

    def add_one(x: int) -> int:
        seen.append(x)
        return x + 1

    assert callbacks.apply_twice(add_one, 3) == 5
    assert seen == [3, 4]
    # Re-entrant: the callback calls into the learner process while it waits.
    assert callbacks.apply_twice(lambda x: callbacks.double(x), 3) == 12
    assert callbacks.call_with_point(lambda p: p.x + p.y) == 3
    assert callbacks.call(lambda a, b: (a, b), 1, b=[2]) == (1, [2])
    assert callbacks.call(seen.append, 9) is None
    assert seen[-1] == 9
    assert callbacks.same(add_one) is add_one
    assert callbacks.attributes(add_one) == []


def test_exceptions_of_callbacks_reach_learner_code_and_back(start: Start) -> None:
    start({"callbacks.py": CALLBACKS})
    callbacks = importlib.import_module("callbacks")

    def boom() -> None:
        raise AssertionError("boom")

    def oops() -> None:
        raise Oops("custom")

    assert callbacks.catch(boom) == "caught AssertionError: boom"
    with pytest.raises(AssertionError, match="boom"):
        callbacks.call(boom)
    with pytest.raises(RuntimeError, match="Oops: custom"):
        callbacks.call(oops)
    with pytest.raises(TypeError, match="returned a object"):
        callbacks.call(lambda: object())
    assert callbacks.double(2) == 4


def test_a_callback_that_stops_the_test_leaves_the_learner_call_behind(start: Start) -> None:
    start({"callbacks.py": CALLBACKS})
    callbacks = importlib.import_module("callbacks")
    with pytest.raises(pytest.fail.Exception, match="stop here"):
        callbacks.swallow(lambda: pytest.fail("stop here"))
    # The learner's late answer to the abandoned call is skipped, not taken for this one.
    assert callbacks.double(2) == 4


IMPORTS = {
    "broken.py": "x = 1\ny = undefined_name\n",
    "syntax.py": "def f(:\n    pass\n",
    "app.py": APP,
    "shop/__init__.py": "NAME = 'shop'\n",
    "shop/models.py": "class Item:\n    def __init__(self, name):\n        self.name = name\n",
}


def test_import_errors_come_back_with_the_learner_traceback(start: Start) -> None:
    start(IMPORTS, names=["broken", "syntax", "app", "shop", "absent"])
    with pytest.raises(NameError, match="undefined_name") as name_error:
        importlib.import_module("broken")
    assert location(name_error.value) == {"file": "broken.py", "line": 2}
    assert "y = undefined_name" in name_error.value.__notes__[0]
    assert "broken" not in sys.modules
    with pytest.raises(SyntaxError) as syntax_error:
        importlib.import_module("syntax")
    assert location(syntax_error.value) == {"file": "syntax.py", "line": 1}
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("absent")
    with pytest.raises(ImportError, match="cannot import name 'missing'"):
        exec("from app import missing", {})  # noqa: S102
    with pytest.raises(ImportError, match="cannot import name 'nothing'"):
        exec("from shop import nothing", {})  # noqa: S102


def test_packages_submodules_and_star_imports(start: Start) -> None:
    start(IMPORTS, names=["app", "shop"])
    namespace: dict[str, Any] = {}
    exec("from shop import models\nfrom shop.models import Item\nimport shop", namespace)  # noqa: S102
    assert namespace["models"] is sys.modules["shop.models"]
    assert namespace["shop"].models is namespace["models"]
    assert namespace["shop"].NAME == "shop"
    assert namespace["Item"]("pen").name == "pen"
    star: dict[str, Any] = {}
    exec("from app import *", star)  # noqa: S102
    assert star["echo"](1) == 1
    assert "Shouty" in star
    assert "echo" in dir(sys.modules["app"])


GREET = """
GREETING = "hello"

def helper():
    return "real"

def greet(name):
    return f"{GREETING}, {name}: {helper()}"
"""


def test_module_setattr_and_monkeypatch_reach_the_learner(
    start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    start({"greet.py": GREET})
    greet: Any = importlib.import_module("greet")
    monkeypatch.setattr(greet, "helper", lambda: "fake")
    assert greet.greet("ann") == "hello, ann: fake"
    monkeypatch.setattr("greet.GREETING", "hi")
    assert greet.greet("ann") == "hi, ann: fake"
    monkeypatch.undo()
    assert greet.greet("ann") == "hello, ann: real"
    monkeypatch.delattr(greet, "helper")
    with pytest.raises(NameError, match="helper"):
        greet.greet("ann")
    monkeypatch.undo()
    assert greet.greet("ann") == "hello, ann: real"
    greet.EXTRA = 5
    assert "EXTRA" in dir(greet)
    assert greet.EXTRA == 5
    with mock.patch("greet.helper", return_value="mocked") as helper:
        assert greet.greet("bo") == "hello, bo: mocked"
    helper.assert_called_once_with()
    assert greet.greet("bo") == "hello, bo: real"


THINGS = """
import weakref

alive = weakref.WeakSet()

class Thing:
    pass

def make():
    thing = Thing()
    thing.name = "thing"
    alive.add(thing)
    return thing

def count():
    return len(alive)

def same(x):
    return x

def make_many(n):
    return [make() for _ in range(n)]

kept = None

def keep():
    global kept
    kept = make()
    return kept

def get_kept():
    return kept

def pair():
    return [kept, kept]

def many_then_kept(n):
    return [[i] for i in range(n)] + [kept]

def forget():
    global kept
    kept = None
"""


def test_dropped_handles_are_released_in_the_learner_process(start: Start) -> None:
    start({"things.py": THINGS})
    things = importlib.import_module("things")
    made = [things.make() for _ in range(20)]
    assert things.count() == 20
    del made
    gc.collect()
    assert things.count() == 0


def test_releasing_more_handles_than_a_frame_holds(
    start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    start({"things.py": THINGS})
    things = importlib.import_module("things")
    made = things.make_many(3000)
    assert things.count() == 3000
    # 3000 [id, count] pairs are over this frame limit, 1000 are under it.
    (importer,) = [f for f in sys.meta_path if isinstance(f, rpc.StandinImporter)]
    monkeypatch.setattr(importer.connection.channel, "max_frame", 20_000)
    monkeypatch.setattr(rpc, "_BATCH", 1000)
    del made
    gc.collect()
    assert things.count() == 0


def test_the_same_learner_object_is_the_same_handle(start: Start) -> None:
    start({"things.py": THINGS})
    things = importlib.import_module("things")
    thing = things.keep()
    assert things.same(thing) is thing
    assert things.get_kept() is thing
    assert things.pair() == [thing, thing]
    assert things.pair()[0] is things.pair()[1]
    del thing
    gc.collect()
    assert things.count() == 1  # things.kept holds it
    assert things.get_kept() is things.get_kept()


def test_a_handle_received_again_while_its_release_is_on_the_way_stays(start: Start) -> None:
    start({"things.py": THINGS})
    things = importlib.import_module("things")
    gc.collect()
    freeze: list[Any] = [things.keep()]
    ident = freeze[0]._lectern_id
    freeze.append(freeze)  # a cycle: only the garbage collector frees this handle
    del freeze
    # The answer holds many lists: collecting garbage while decoding it frees the old
    # handle (its release waits for the next frame), then the same object arrives again.
    again = things.many_then_kept(50_000)[-1]
    assert again._lectern_id == ident
    gc.collect()
    things.count()  # sends the release of the old handle
    assert str(again.name) == "thing"
    del again
    gc.collect()
    assert things.forget() is None
    gc.collect()
    assert things.count() == 0


REPRS = """
class NoRepr:
    def __repr__(self):
        return None

class BadRepr:
    def __repr__(self):
        raise RuntimeError("no")

class BadStr:
    def __str__(self):
        return 5
"""


def test_repr_falls_back_to_the_learner_type_and_text_errors_say_whose(start: Start) -> None:
    start({"reprs.py": REPRS})
    reprs = importlib.import_module("reprs")
    assert repr(reprs.NoRepr()) == "<reprs.NoRepr object>"
    assert repr(reprs.BadRepr()) == "<reprs.BadRepr object>"
    assert repr(reprs.BadStr()).startswith("<reprs.BadStr object at 0x")  # the learner's own
    with pytest.raises(AssertionError, match=r"^<reprs\.NoRepr object> != 1$"):
        unittest.TestCase().assertEqual(reprs.NoRepr(), 1)
    with pytest.raises(TypeError, match=r"^NoRepr\.__repr__ returned NoneType, not str$") as info:
        str(reprs.NoRepr())
    assert not hasattr(info.value, "__notes__")  # no empty "Traceback in the learner process"
    with pytest.raises(TypeError, match=r"^BadStr\.__str__ returned int, not str$"):
        str(reprs.BadStr())


def test_the_learner_process_exiting_mid_call(start: Start) -> None:
    start({"app.py": APP})
    app = importlib.import_module("app")
    with pytest.raises(rpc.LearnerProcessGone, match="exited or crashed"):
        app.leave_now()
    with pytest.raises(rpc.LearnerProcessGone):
        app.echo(1)


def frame(body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + body


@pytest.mark.parametrize(
    ("mode", "answer"),
    [
        ("frame", b"hello"),
        ("frame", b"\xff\xfe{}"),
        ("frame", b"[1, 2]"),
        ("deep", b""),
        ("frame", b'{"re": 999, "ok": 1}'),
        ("frame", b'{"re": ID}'),
        ("frame", b'{"re": ID, "ok": {"zz": 1}}'),
        ("frame", b'{"re": ID, "ok": [1]}'),
        ("frame", b'{"re": ID, "ok": {"b": "!!"}}'),
        ("frame", b'{"re": ID, "ok": ' + b"9" * 5000 + b"}"),
        ("frame", b'{"re": ID, "ok": 1}'),
        ("frame", b'{"re": ID, "err": {"type": {"builtin": "print"}, "args": [], "tb": ""}}'),
        ("frame", b'{"re": ID, "err": {"type": {"name": 1}, "args": [], "tb": ""}}'),
        ("frame", b'{"re": ID, "cannot": "x"}'),
        ("frame", b'{"id": 1, "op": "call", "args": [{"r": 5}], "kwargs": {}}'),
        ("frame", b'{"op": "exec", "code": "import os"}'),
        ("frame", b'{"op": "release", "ids": [1, 2]}'),
        ("frame", b'{"re": ID, "ok": {"t": [{"h": 1}, false]}}'),
        (
            "frame",
            b'{"re": ID, "err": {"type": {"builtin": "ValueError"}, "args": [], "tb": "", '
            b'"attrs": {"x": {"zz": 1}}}}',
        ),
        (
            "frame",
            b'{"re": ID, "err": {"type": {"builtin": "ValueError"}, "args": [], "tb": "", '
            b'"attrs": [1]}}',
        ),
        ("raw", (2**31).to_bytes(4, "big") + b"{}"),
    ],
    ids=[
        "not-json",
        "not-utf8",
        "not-an-object",
        "too-deep",
        "wrong-id",
        "no-result",
        "unknown-tag",
        "untagged-list",
        "bad-base64",
        "huge-decimal",
        "bad-import-answer",
        "not-an-exception-class",
        "bad-exception-class",
        "bad-cannot",
        "call-of-no-callback",
        "unknown-op",
        "bad-release",
        "handle-without-type",
        "bad-attribute",
        "bad-attributes",
        "oversize-frame",
    ],
)
def test_a_hostile_learner_side_only_raises_protocol_error(
    start: Start, mode: str, answer: bytes
) -> None:
    start({}, names=["evil"], script=HOSTILE_MAIN, argv=(mode, answer.hex()))
    with pytest.raises(rpc.ProtocolError):
        importlib.import_module("evil")
    # The connection is unusable from then on, and says so.
    with pytest.raises(rpc.ProtocolError):
        importlib.import_module("evil")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("range", b'{"range": [0, 1, 0]}'),
        ("range", b'{"range": [0, 1]}'),
        ("range", b'{"range": [0, 1, true]}'),
        ("complex", b'{"complex": [1, 2]}'),
        ("bytearray", b'{"bytearray": "!!"}'),
        ("date", b'{"date": [2024, 13, 1]}'),
        ("date", b'{"date": "2024-01-01"}'),
        ("datetime", b'{"datetime": [2024, 1, 1, 0, 0, 0, 0, 2, null]}'),
        ("datetime", b'{"datetime": [2024, 1, 1, 0, 0, 0, 0, 0, {"h": [1, "Zone"]}]}'),
        ("time", b'{"time": [0, 0, 0, 0, 0, {"date": [2024, 1, 1]}]}'),
        ("timedelta", b'{"timedelta": [1000000000, 0, 0]}'),
        ("timezone", b'{"timezone": [{"timedelta": [1, 0, 0]}]}'),
        ("timezone", b'{"timezone": [0]}'),
        ("decimal", b'{"decimal": "1_000"}'),
        ("decimal", b'{"decimal": " 1"}'),
        ("decimal", b'{"decimal": "\\u0661"}'),
        ("decimal", b'{"decimal": "1E+99999999999999999999"}'),
        ("fraction", b'{"fraction": [1, 0]}'),
        ("fraction", b'{"fraction": [1.5, 2]}'),
    ],
)
def test_a_hostile_learner_side_cannot_send_malformed_values(
    start: Start, kind: str, value: bytes
) -> None:
    answer = b'{"re": ID, "ok": {"t": [' + value + b", false]}}"
    start({}, names=["evil"], script=HOSTILE_MAIN, argv=("frame", answer.hex()))
    with pytest.raises(rpc.ProtocolError, match=f"a (bad|malformed) '{kind}'"):
        importlib.import_module("evil")
