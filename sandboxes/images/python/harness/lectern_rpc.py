"""Function mode: the test runner uses learner code that runs in another process.

Exercise tests say `from clock import Clock`, but learner code must never run in
the test runner's process (pytest, trusted). So the import gives the runner a
stand-in module, and every use of a learner object (a call, an attribute, an
operator) is a request over a socket to the learner process, which does it on
the real object and answers. The learner process is another uid and must be
taken as fully hostile, sending any bytes: so only data crosses, and the runner
never unpickles, evaluates or trusts anything. Each frame is parsed as JSON and
checked field by field, and only plain values are built from it.

- Data crosses by value: None, bool, int, float, complex, str, bytes, bytearray,
  list, tuple, dict, set, frozenset, range, decimal.Decimal, fractions.Fraction,
  and datetime's date, time, datetime, timedelta and timezone (a time or datetime
  only if naive or with a fixed-offset datetime.timezone). Subclasses arrive as
  the plain type: the sender reads the value with the plain type's own methods
  and descriptors, never the object's (which could lie), and the receiver
  rebuilds it from checked components, never calling anything of the sender's.
- Any other learner object stays in the learner process, named by an id; the
  runner holds a Handle whose operations are requests (isinstance() and
  issubclass() with a handle to a learner class are asked too). The same object
  always has the same id, and while the runner holds its Handle it gets that
  Handle back (`f(h) is h`). Functions the test passes to learner code stay in
  the runner the same way (callbacks), so the protocol is re-entrant: while
  waiting for its reply, each side serves the other's requests.
- Learner exceptions come back as runner-side classes re-created by name, with
  their args, their public attributes (`self.code = 404`: data or handles) and
  the learner traceback as a note. Learner BaseExceptions that would stop or
  skip the session (KeyboardInterrupt, SystemExit, pytest's outcomes) arrive as
  LearnerRaised subclasses, plain Exceptions.

Wire format: a frame is a 4-byte big-endian length, then that many bytes of
JSON (ASCII, as json.dumps writes it) holding one object:
  request  {"id": N, "op": OP, "args": [V, ...], "kwargs": {NAME: V}}
  reply    {"re": N, "ok": V} | {"re": N, "err": ERROR} | {"re": N, "cannot": [TYPE, WHY]}
  release  {"op": "release", "ids": [[ID, COUNT], ...]}   (no reply: the sender dropped
           its proxies of these, which it had received COUNT times)
A value V is null, true, false, a JSON number (int, or float incl. NaN/Infinity)
or a string, standing for itself, or a one-key object: {"i": hex} (a big int),
{"b"|"bytearray": base64}, {"l"|"t"|"s"|"f": [V, ...]} (list, tuple, set,
frozenset), {"d": [[K, V], ...]}, {"decimal": str(d)}, {TYPE: [V, ...]} for a
type of _PARTS (its fields, e.g. {"range": [0, 4, 1]}), {"timezone": [OFFSET,
NAME?]}, {"h": ID} (an object the sender keeps, learner to runner {"h": [ID,
TYPE]} with its type's name: the receiver gets a proxy), {"r": ID} (one the
receiver keeps), {"e": CLASS} (an exception class, learner to runner only).
ERROR, learner to runner, is {"type": CLASS, "args": [V, ...], "attrs": {NAME:
V}, "str": str(exc), "tb": NOTE, "loc": PLACE, "name": ImportError's name}; runner
to learner [BUILTIN NAME, MESSAGE]. Each side numbers its own requests; a reply
answers the innermost one. The learner serves the ops in _OPS; the runner serves
only "call" of a callback it passed.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import datetime
import decimal
import fractions
import importlib
import importlib.abc
import importlib.machinery
import io
import json
import operator
import os
import re
import socket
import sys
import traceback
import types
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

MAX_DEPTH = 100  # nesting of a value that can cross
MAX_NODES = 1_000_000  # items in one value: shared sub-lists could otherwise blow up
_BIG = 1 << 256  # ints beyond this cross as hex: no decimal-digit limit
_HARNESS = os.path.dirname(os.path.realpath(__file__))
_SEQUENCES: tuple[tuple[Any, str], ...] = ((list, "l"), (tuple, "t"), (set, "s"), (frozenset, "f"))
_BINARY = "add sub mul truediv floordiv mod pow matmul and or xor lshift rshift".split()  # noqa: SIM905
_FORWARDED_DUNDERS = {"__name__", "__qualname__", "__all__", "__version__", "__annotations__"}
_CROSSES = "only None, bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, "
_CROSSES += "set, frozenset, range, Decimal, Fraction, date, time, datetime, timedelta, "
_CROSSES += "timezone and callables cross to the learner process"
_BATCH = 100_000  # [id, count] pairs in one release frame: ~1.5 MB at most
MAX_ATTRIBUTES = 20  # of a learner exception, each at most MAX_ATTRIBUTE_SIZE bytes of JSON
MAX_ATTRIBUTE_SIZE = 64 * 1024
# Types that cross as their fields, read with the type's own descriptors and rebuilt by
# calling the type with them by keyword (range: positionally). datetime before date.
_TIME = "hour minute second microsecond fold tzinfo"
_PARTS: dict[str, tuple[type, list[str]]] = {
    tag: (cls, names.split())
    for tag, cls, names in [
        ("range", range, "start stop step"),
        ("complex", complex, "real imag"),
        ("fraction", fractions.Fraction, "numerator denominator"),
        ("timedelta", datetime.timedelta, "days seconds microseconds"),
        ("datetime", datetime.datetime, "year month day " + _TIME),
        ("date", datetime.date, "year month day"),
        ("time", datetime.time, _TIME),
    ]
}
_OTHER_DATA = (bytearray, decimal.Decimal, datetime.timezone, *(c for c, _ in _PARTS.values()))
_FIELD_TYPES = {"real": (float,), "imag": (float,), "tzinfo": (type(None), datetime.timezone)}
_DECIMAL = re.compile(r"-?([0-9]+(\.[0-9]+)?([eE][-+][0-9]+)?|Infinity|s?NaN[0-9]*)")
_dumps = json.JSONEncoder(separators=(",", ":")).encode


class ProtocolError(Exception):
    """The peer broke the protocol: a frame too large, not JSON, or not a message."""


class LearnerProcessGone(Exception):
    """End of file from the learner process: it exited or crashed."""


class LearnerRaised(Exception):
    """Learner code raised a BaseException that is not an Exception (KeyboardInterrupt,
    SystemExit, pytest's outcomes...): it arrives as a subclass of this named after it,
    which fails the test instead of stopping or skipping the session."""


class _CannotCross(Exception):
    """args: (type name, why or "")."""


class _RunnerGone(BaseException):
    """In the learner process: the test runner closed the socket."""


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ProtocolError(f"the learner process broke the protocol: {what}")


def _type_name(t: type) -> str:
    try:
        module, name = t.__module__, t.__qualname__
        return f"{name}" if module == "builtins" else f"{module}.{name}"
    except BaseException:
        return "object"


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _public(name: str) -> bool:
    return name.isidentifier() and not name.startswith("_")


class Channel:
    """Frames over a stream socket: 4-byte big-endian length + UTF-8 JSON object."""

    def __init__(self, sock: socket.socket, *, max_frame: int = 4 * 1024 * 1024) -> None:
        self.sock = sock
        self.max_frame = max_frame
        self._buffer = bytearray()  # read and not yet taken: an interrupted recv loses nothing
        self._chunk = memoryview(bytearray(1 << 16))  # reused: a fresh big one costs an mmap
        self._broken = False

    def send(self, msg: dict[str, Any]) -> None:
        """Raises ValueError, sending nothing, if the frame would be over max_frame."""
        data = _dumps(msg).encode("ascii")
        if len(data) > self.max_frame:
            raise ValueError(f"a message of {len(data)} bytes is over the limit")
        _require(not self._broken, "an earlier send was interrupted in the middle of a frame")
        try:
            self.sock.sendall(len(data).to_bytes(4, "big") + data)
        except BaseException as exc:
            self._broken = not isinstance(exc, OSError)
            raise

    def recv(self) -> dict[str, Any] | None:
        """The next message, or None at end of file (also in the middle of a frame)."""
        while True:
            if len(self._buffer) >= 4:
                size = int.from_bytes(self._buffer[:4], "big")
                _require(size <= self.max_frame, f"a frame of {size} bytes, over the limit")
                if len(self._buffer) >= 4 + size:
                    data = self._buffer[4 : 4 + size]
                    del self._buffer[: 4 + size]
                    try:
                        msg = json.loads(data.decode("utf-8"))
                    except (ValueError, RecursionError) as exc:
                        msg = exc
                    _require(type(msg) is dict, "a frame that is not a JSON object")
                    return msg
            got = self.sock.recv_into(self._chunk)
            if not got:
                return None
            self._buffer += self._chunk[:got]


class _Connection:
    """What both sides share: encoding, decoding, and waiting for a reply."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.exports: dict[int, Any] = {}  # objects of ours the peer holds by id
        self._export_ids: dict[int, int] = {}  # id() of an exported object: its id
        self._sent: dict[int, int] = {}  # how many times each id was sent, less those released
        self.proxies: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
        self._last_export = self._last_id = self._nodes = 0
        self._released: list[list[int]] = []  # [id, count] of proxies we dropped: sent next
        self._abandoned: set[int] = set()  # requests left by an exception: skip their replies
        self.proxy_type: type = type(None)  # the class of our proxies of the peer's objects

    # Each side: how to read and serve a request, and what non-data objects become.
    def read(self) -> dict[str, Any]:
        raise NotImplementedError

    def serve(self, msg: dict[str, Any]) -> None:
        raise NotImplementedError

    def encode_other(self, x: Any) -> Any:
        raise NotImplementedError

    def decode_reference(self, tag: str, payload: Any, label: str) -> Any:
        raise NotImplementedError

    def write(self, msg: dict[str, Any]) -> None:
        self.channel.send(msg)

    def export(self, obj: Any) -> int:
        """The id under which the peer gets obj (the same while it holds it)."""
        ident = self._export_ids.get(id(obj))
        if ident is None:
            self._last_export += 1
            ident = self._export_ids[id(obj)] = self._last_export
            self.exports[ident] = obj
        self._sent[ident] = self._sent.get(ident, 0) + 1
        return ident

    def drop(self, released: list[list[int]]) -> None:
        """The peer released ids, each received COUNT times; forget those it has no more.
        (Counting means an id sent again while its release was on the way stays.)"""
        for ident, count in released:
            if ident in self.exports:
                self._sent[ident] -= count
                if self._sent[ident] <= 0:
                    del self._sent[ident], self._export_ids[id(self.exports.pop(ident))]

    def proxy(self, ident: int, cls: Callable[..., Any], *args: Any) -> Any:
        """The one proxy of the peer's object `ident` (a new one is cls(self, ident, *args)),
        which counts how many times it was received, to release them all when it dies."""
        proxy = self.proxies.get(ident)
        if proxy is None:
            proxy = self.proxies[ident] = cls(self, ident, *args)
        object.__setattr__(proxy, "_lectern_count", proxy._lectern_count + 1)
        return proxy

    def release(self, ident: int, count: int) -> None:
        """From __del__: only queue it, never send from there."""
        self._released.append([ident, count])

    def send(self, msg: dict[str, Any]) -> None:
        while self._released:  # in batches that stay well under the frame limit
            ids, self._released = self._released[:_BATCH], self._released[_BATCH:]
            self.write({"op": "release", "ids": ids})
        self.write(msg)

    def exchange(self, op: str, args: Sequence[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Send a request; serve the peer's requests until its reply comes; return that."""
        __tracebackhide__ = True
        msg: dict[str, Any] = {"op": op, "args": [self.encode(a) for a in args]}
        msg["kwargs"] = {str.__str__(k): self.encode(v) for k, v in kwargs.items()}
        self._last_id += 1
        rid = msg["id"] = self._last_id
        self.send(msg)
        try:
            while True:
                reply = self.read()
                if "re" not in reply:
                    self.serve(reply)
                elif reply["re"] == rid:
                    return reply
                else:
                    _require(reply["re"] in self._abandoned, f"a reply to {reply['re']}, not {rid}")
                    self._abandoned.discard(reply["re"])
        except BaseException:
            self._abandoned.add(rid)
            raise

    def encode(self, x: Any) -> Any:
        self._nodes = 0
        return self._encode(x, 0)

    def _encode(self, x: Any, depth: int) -> Any:
        if x is None or x is True or x is False:
            return x
        t = type(x)  # never isinstance(): __class__ can lie
        self._nodes += 1
        if depth > MAX_DEPTH or self._nodes > MAX_NODES:
            why = f"nested more than {MAX_DEPTH} deep" if depth > MAX_DEPTH else "too large"
            raise _CannotCross(_type_name(t), why)
        if t is self.proxy_type and x._lectern_conn is self:  # the peer's own object, back
            return {"r": x._lectern_id}
        if issubclass(t, int):
            v = int.__int__(x)
            return v if -_BIG < v < _BIG else {"i": format(v, "x")}
        if issubclass(t, float):
            return float.__float__(x)
        if issubclass(t, str):
            return str.__str__(x)
        if issubclass(t, bytes):
            return {"b": base64.b64encode(bytes.__bytes__(x)).decode("ascii")}
        if issubclass(t, dict):
            return {
                "d": [
                    [self._encode(k, depth + 1), self._encode(v, depth + 1)]
                    for k, v in list(dict.items(x))
                ]
            }
        for base, tag in _SEQUENCES:
            if issubclass(t, base):
                return {tag: [self._encode(v, depth + 1) for v in list(base.__iter__(x))]}
        if not issubclass(t, _OTHER_DATA):  # most objects: a handle, a callback
            return self.encode_other(x)
        if issubclass(t, bytearray):
            return {"bytearray": base64.b64encode(bytearray.copy(x)).decode("ascii")}
        if issubclass(t, decimal.Decimal):
            return {"decimal": decimal.Decimal.__str__(x)}
        if t is datetime.timezone:  # which cannot be subclassed
            args = datetime.timezone.__getinitargs__(x)  # type: ignore[attr-defined]
            return {"timezone": [self._encode(a, depth + 1) for a in args]}
        for tag, (base, names) in _PARTS.items():
            if issubclass(t, base):
                parts = [getattr(base, name).__get__(x) for name in names]
                tz = parts[-1] if names[-1] == "tzinfo" else None
                if tz is not None and type(tz) is not datetime.timezone:
                    why = f"its tzinfo is a {_type_name(type(tz))}, not a datetime.timezone"
                    raise _CannotCross(_type_name(t), why)
                return {tag: [self._encode(v, depth + 1) for v in parts]}
        return self.encode_other(x)

    def decode(self, v: Any, label: str, depth: int = 0) -> Any:
        """`label` names where handles come from, in error messages."""
        if v is None or type(v) in (bool, int, float, str):
            return v
        _require(depth <= MAX_DEPTH + 5 and type(v) is dict and len(v) == 1, "a bad value")
        ((tag, p),) = v.items()
        if tag in ("h", "r", "e"):
            return self.decode_reference(tag, p, label)
        try:
            if type(p) is str:
                if tag in ("b", "bytearray"):
                    data = base64.b64decode(p, validate=True)
                    return data if tag == "b" else bytearray(data)
                if tag == "i":
                    return int(p, 16)
                if tag == "decimal" and _DECIMAL.fullmatch(p):
                    return decimal.Decimal(p)
            elif tag == "d" and type(p) is list:
                _require(all(type(i) is list and len(i) == 2 for i in p), "a malformed dict")
                return {
                    self.decode(k, label, depth + 1): self.decode(x, label, depth + 1) for k, x in p
                }
            elif type(p) is list:
                items = [self.decode(x, label, depth + 1) for x in p]
                if tag in ("l", "t", "s", "f"):
                    return {"l": list, "t": tuple, "s": set, "f": frozenset}[tag](items)
                if tag == "timezone" and len(items) in (1, 2):
                    kinds = [type(i) for i in items]  # an offset, and maybe a name
                    _require(kinds == [datetime.timedelta, str][: len(kinds)], "a bad 'timezone'")
                    return datetime.timezone(*items)
                if tag in _PARTS:
                    return _rebuild(tag, items)
        except (TypeError, ValueError, ArithmeticError) as exc:  # unhashable, out of range...
            _require(False, f"a malformed {tag!r} value ({type(exc).__name__})")
        raise ProtocolError(f"the learner process broke the protocol: a bad {tag!r} value")


def _rebuild(tag: str, parts: list[Any]) -> Any:
    """A value of a type of _PARTS from its fields, each of the type it must be."""
    cls, names = _PARTS[tag]
    _require(len(parts) == len(names), f"a malformed {tag!r} value")
    for name, part in zip(names, parts, strict=True):
        _require(type(part) in _FIELD_TYPES.get(name, (int,)), f"a bad {tag!r} field")
    return range(*parts) if cls is range else cls(**dict(zip(names, parts, strict=True)))


# --- The learner side ---------------------------------------------------------------


def _import(name: str) -> tuple[types.ModuleType, bool]:
    module = importlib.import_module(name)
    return module, hasattr(module, "__path__")


def _exception_from_runner(name: Any, message: Any) -> Exception:
    cls = getattr(builtins, name, None) if type(name) is str else None
    if isinstance(cls, type) and issubclass(cls, Exception):
        with contextlib.suppress(Exception):
            return cls(message)
    return RuntimeError(message)


def _exit(obj: Any, name: str | None, message: str | None) -> bool:
    exc = None if name is None else _exception_from_runner(name, message)
    return bool(type(obj).__exit__(obj, type(exc) if exc else None, exc, None))


def _as_text(dunder: str) -> Callable[[Any], str]:
    """str() or repr(), saying whose method returned what when it is not a str."""

    def text(x: Any) -> str:
        t = type(x)
        name = "__repr__" if dunder == "__str__" and t.__str__ is object.__str__ else dunder
        result = getattr(t, name)(x)
        if not isinstance(result, str):
            what = f"{t.__qualname__}.{name}"
            raise TypeError(f"{what} returned {type(result).__qualname__}, not str")
        return result

    return text


_OPS: dict[str, Callable[..., Any]] = {
    "import": _import,
    "call": lambda f, /, *args, **kwargs: f(*args, **kwargs),
    "bool": operator.truth,
    "enter": lambda obj: type(obj).__enter__(obj),
    "exit": _exit,
    "str": _as_text("__str__"),
    "repr": _as_text("__repr__"),
}
_NAMES = "getattr setattr delattr dir format len hash int float iter next isinstance issubclass"
for _name in _NAMES.split():
    _OPS[_name] = getattr(builtins, _name)
for _name in "contains getitem setitem delitem neg pos abs invert lt le gt ge eq ne".split():  # noqa: SIM905
    _OPS[_name] = getattr(operator, _name)
for _name in _BINARY:
    _OPS[_name] = getattr(operator, _name + "_" if _name in ("and", "or") else _name)
    _OPS["i" + _name] = getattr(operator, "i" + _name)


def _text(f: Callable[[Any], str], x: Any) -> str | None:
    try:
        return str.__str__(f(x))
    except BaseException:  # learner code
        return None


def _class_description(cls: type, depth: int) -> dict[str, Any]:
    name = cls.__name__
    if getattr(builtins, name, None) is cls:
        return {"builtin": name}
    if depth > 20:
        raise _CannotCross("type", "its class hierarchy is too deep")
    bases = [
        _class_description(b, depth + 1) for b in cls.__bases__ if issubclass(b, BaseException)
    ]
    return {
        "name": str(name),
        "qualname": str(cls.__qualname__),
        "module": str(cls.__module__),
        "bases": bases,
    }


class _Callback:
    """In the learner process: a callable the test passed; calling it asks the runner."""

    __slots__ = ("__weakref__", "_lectern_conn", "_lectern_count", "_lectern_id")

    def __init__(self, conn: _LearnerConnection, ident: int) -> None:
        self._lectern_conn, self._lectern_id, self._lectern_count = conn, ident, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            reply = self._lectern_conn.exchange("call", (self, *args), kwargs)
        except _CannotCross as exc:
            raise TypeError(f"cannot pass a {exc.args[0]} to a function of the test") from None
        if "ok" in reply:
            return self._lectern_conn.decode(reply["ok"], "")
        raise _exception_from_runner(*reply["err"])

    def __repr__(self) -> str:
        return "<function of the test>"

    def __del__(self) -> None:
        self._lectern_conn.release(self._lectern_id, self._lectern_count)


class _LearnerConnection(_Connection):
    def __init__(self, channel: Channel, before_reply: Callable[[], None]) -> None:
        super().__init__(channel)
        self.proxy_type = _Callback
        self.before_reply = before_reply
        self.root = os.path.realpath(sys.path[0] or os.getcwd())
        self.data_only = False  # while describing an exception: its args are data or repr

    def read(self) -> dict[str, Any]:
        msg = self.channel.recv()
        if msg is None:
            raise _RunnerGone
        return msg

    def write(self, msg: dict[str, Any]) -> None:
        with contextlib.suppress(Exception):  # learner code may have replaced sys.stdout
            self.before_reply()
        self.channel.send(msg)

    def serve(self, msg: dict[str, Any]) -> None:
        if msg.get("op") == "release":
            self.drop(msg["ids"])
            return
        rid = msg.get("id")
        try:
            args = [self.decode(a, "") for a in msg["args"]]
            kwargs = {k: self.decode(v, "") for k, v in msg["kwargs"].items()}
            result = _OPS[msg["op"]](*args, **kwargs)
        except _RunnerGone:
            raise
        except BaseException as exc:  # learner code raised, whatever it is: answer with it
            reply: dict[str, Any] = {"re": rid, "err": self.describe(exc)}
        else:
            try:
                reply = {"re": rid, "ok": self.encode(result)}
            except _CannotCross as exc:
                reply = {"re": rid, "cannot": list(exc.args)}
            except Exception as exc:  # issubclass() on a learner ABC, say
                why = f"converting it raised {type(exc).__name__}"
                reply = {"re": rid, "cannot": [_type_name(type(result)), why]}
        try:
            self.send(reply)
        except ValueError:  # over the frame limit
            self.send({"re": rid, "cannot": ["value", "the answer is too large"]})

    def encode_other(self, x: Any) -> Any:
        t = type(x)
        if issubclass(t, type) and issubclass(x, BaseException):
            return {"e": _class_description(x, 0)}
        if self.data_only:
            raise _CannotCross(_type_name(t), "")
        if issubclass(t, (io.IOBase, socket.SocketType)):
            raise _CannotCross(_type_name(t), "files and sockets stay in the learner process")
        return {"h": [self.export(x), _type_name(t)[:200]]}

    def decode_reference(self, tag: str, payload: Any, label: str) -> Any:
        if tag == "h" and type(payload) is int:
            return self.proxy(payload, _Callback)
        _require(tag == "r" and type(payload) is int and payload in self.exports, "a bad id")
        return self.exports[payload]

    def describe(self, exc: BaseException) -> dict[str, Any]:
        """An exception of learner code as data; never raises."""
        try:
            args = []
            self.data_only = True
            try:
                for arg in tuple(exc.args):
                    try:
                        args.append(self.encode(arg))
                    except Exception:
                        args.append(_text(repr, arg) or "<unrepresentable>")
            finally:
                self.data_only = False
            note, location = self.learner_traceback(exc)
            name = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
            return {
                "type": _class_description(type(exc), 0),
                "args": args,
                "attrs": self.attributes(exc),
                "tb": note,
                "str": _text(str, exc),
                "loc": location,
                "name": name if type(name) is str else None,
            }
        except BaseException:
            args = ["learner code raised an exception that cannot be described"]
            return {"type": {"builtin": "RuntimeError"}, "args": args, "tb": ""}

    def attributes(self, exc: BaseException) -> dict[str, Any]:
        """The exception's public attributes whose values can cross (not too large)."""
        found: dict[str, Any] = {}
        with contextlib.suppress(Exception):
            for name, value in list(dict.items(vars(exc))):
                if len(found) == MAX_ATTRIBUTES:
                    break
                if type(name) is str and _public(name):
                    with contextlib.suppress(Exception):
                        encoded = self.encode(value)
                        if len(_dumps(encoded)) <= MAX_ATTRIBUTE_SIZE:
                            found[name] = encoded
        return found

    def is_learner_file(self, filename: str) -> bool:
        path = os.path.realpath(filename)
        return (
            os.path.isabs(filename)
            and path.startswith(self.root + os.sep)
            and not path.startswith(_HARNESS + os.sep)
            and "site-packages" not in path
            and "dist-packages" not in path
        )

    def learner_traceback(self, exc: BaseException) -> tuple[str, dict[str, Any] | None]:
        """The learner frames of exc's traceback as text, and the innermost one's place."""
        tb = traceback.extract_tb(exc.__traceback__)
        frames = traceback.StackSummary.from_list(
            [f for f in tb if self.is_learner_file(f.filename)]
        )
        where: tuple[str, int | None] | None = None
        if frames:
            where = (frames[-1].filename, frames[-1].lineno)
        elif isinstance(exc, SyntaxError) and self.is_learner_file(str(exc.filename)):
            where = (str(exc.filename), exc.lineno)
        text = "".join(frames.format() + traceback.format_exception_only(type(exc), exc))
        if frames:
            text = "Traceback in the learner process (most recent call last):\n" + text
        elif not isinstance(exc, SyntaxError):  # whose text shows the line and where
            text = ""
        if where is None:
            return text, None
        relative = os.path.relpath(os.path.realpath(where[0]), self.root)
        return text, {"file": relative, "line": where[1] or 0}


def serve_functions(sock: socket.socket, *, before_reply: Callable[[], None]) -> None:
    """Serve requests until EOF. before_reply() is called before every reply/request sent
    (the caller passes a function that flushes sys.stdout/sys.stderr, so printed output
    reaches its pipe before the answer)."""
    conn = _LearnerConnection(Channel(sock), before_reply)
    with contextlib.suppress(_RunnerGone, OSError):
        while True:
            conn.serve(conn.read())


# --- The runner side ----------------------------------------------------------------


def _learner_str(self: BaseException) -> str:
    """__str__ of re-created classes: what str() gave in the learner process."""
    text = self.__dict__.get("_lectern_str")
    return text if type(text) is str else BaseException.__str__(self)


def _for_learner(exc: BaseException) -> list[str]:
    """A runner exception as [builtin name, message] for the learner process."""
    t = type(exc)
    message = _text(str, exc) or ""
    if getattr(builtins, t.__name__, None) is t and issubclass(t, Exception):
        return [t.__name__, message]
    return ["RuntimeError", f"{_type_name(t)}: {message}"]


def _instantiate(cls: type[BaseException], args: list[Any]) -> BaseException:
    with contextlib.suppress(Exception):
        return cls(*args)
    with contextlib.suppress(Exception):
        exc = cls.__new__(cls)
        exc.args = tuple(args)
        return exc
    return RuntimeError(f"{cls.__qualname__}{tuple(args)!r}")


class _RunnerConnection(_Connection):
    def __init__(self, channel: Channel) -> None:
        super().__init__(channel)
        self.proxy_type = Handle
        self.classes: dict[tuple[str, str], type[BaseException]] = {}
        self.dead: ProtocolError | LearnerProcessGone | None = None

    def call(
        self, op: str, args: Sequence[Any], kwargs: dict[str, Any] | None = None, *, what: str
    ) -> Any:
        """Ask the learner process; `what` names the operation in error messages."""
        __tracebackhide__ = True  # pytest shows the test's line; the learner's is in a note
        if self.dead is not None:
            raise type(self.dead)(*self.dead.args)
        try:
            reply = self.exchange(op, args, kwargs or {})
            if "ok" in reply:
                return self.decode(reply["ok"], what)
            if "cannot" not in reply:
                raise self.learner_exception(reply["err"])
            cannot = reply["cannot"]
            ok = type(cannot) is list and len(cannot) == 2
            _require(ok and all(type(s) is str for s in cannot), "a malformed 'cannot'")
            why = f" ({cannot[1]})" if cannot[1] else ""
            message = f"{what} returned a {cannot[0]}, which cannot cross from the learner process"
            raise TypeError(message + why)
        except _CannotCross as exc:
            why = f" ({exc.args[1]})" if exc.args[1] else ""
            raise TypeError(f"cannot pass a {exc.args[0]} to {what}: {_CROSSES}{why}") from None
        except (ProtocolError, LearnerProcessGone) as exc:
            self.dead = self.dead or exc  # the connection is unusable from now on
            raise

    def broken(self, what: str) -> ProtocolError:
        """A ProtocolError found outside call(), which makes the connection unusable too."""
        self.dead = self.dead or ProtocolError(f"the learner process broke the protocol: {what}")
        return ProtocolError(*self.dead.args)

    def read(self) -> dict[str, Any]:
        try:
            msg = self.channel.recv()
        except OSError:
            msg = None
        if msg is None:
            gone = "the learner process is gone: end of file on its socket (it exited or crashed)"
            raise LearnerProcessGone(gone)
        if "re" in msg:
            ok = type(msg["re"]) is int and len(msg) == 2
            _require(ok and ("ok" in msg or "err" in msg or "cannot" in msg), "a bad reply")
        elif msg.get("op") == "release":
            ids = msg.get("ids")
            pairs = ids if type(ids) is list else [None]
            ok = all(type(i) is list and [type(n) for n in i] == [int, int] for i in pairs)
            _require(ok, "a bad release")
        else:
            _require(msg.get("op") == "call", "a message that is neither reply nor request")
            args, kwargs = msg.get("args"), msg.get("kwargs")
            ok = type(msg.get("id")) is int and type(args) is list and bool(args)
            _require(ok and type(kwargs) is dict, "a malformed call")
        return msg

    def write(self, msg: dict[str, Any]) -> None:
        try:
            self.channel.send(msg)
        except OSError:
            gone = "the learner process is gone: its socket is closed (it exited or crashed)"
            raise LearnerProcessGone(gone) from None

    def serve(self, msg: dict[str, Any]) -> None:
        """The learner calls a callback (the only request it may make)."""
        if msg["op"] == "release":
            self.drop(msg["ids"])
            return
        rid, target = msg["id"], msg["args"][0]
        ident: Any = target.get("r") if type(target) is dict and len(target) == 1 else None
        _require(type(ident) is int and ident in self.exports, "a call of no callback")
        fn = self.exports[ident]
        name = getattr(fn, "__qualname__", None)
        name = name if isinstance(name, str) else type(fn).__qualname__
        args = [self.decode(a, f"an argument to {name}()") for a in msg["args"][1:]]
        kwargs = {k: self.decode(v, f"an argument to {name}()") for k, v in msg["kwargs"].items()}
        try:
            reply = {"re": rid, "ok": self.encode(fn(*args, **kwargs))}
        except _CannotCross as exc:
            reply = {
                "re": rid,
                "err": ["TypeError", f"{name}() returned a {exc.args[0]}: {_CROSSES}"],
            }
        except Exception as exc:
            reply = {"re": rid, "err": _for_learner(exc)}
        except BaseException as exc:  # the test stops: leave the learner's call behind
            self.send(
                {"re": rid, "err": ["RuntimeError", f"the test stopped ({type(exc).__name__})"]}
            )
            raise
        self.send(reply)

    def encode_other(self, x: Any) -> Any:
        if type(x) is Handle:  # not ours: _encode() takes those
            raise _CannotCross("handle", "of another learner process")
        if isinstance(x, StandinModule) and "_lectern_module" in _local_dict(x):
            return {"r": _local_dict(x)["_lectern_module"]._lectern_id}
        if callable(x):
            return {"h": self.export(x)}
        raise _CannotCross(_type_name(type(x)), "")

    def decode_reference(self, tag: str, payload: Any, label: str) -> Any:
        if tag == "e":
            return self.exception_class(payload, 0)
        if tag == "h":
            ok = type(payload) is list and len(payload) == 2 and type(payload[0]) is int
            _require(ok and type(payload[1]) is str and len(payload[1]) < 500, "a bad handle")
            return self.proxy(payload[0], Handle, label, payload[1])
        _require(type(payload) is int and payload in self.exports, "a bad id")
        return self.exports[payload]

    def exception_class(self, desc: Any, depth: int) -> type[BaseException]:
        """Re-create a learner exception class (once per module and qualname)."""
        _require(type(desc) is dict and depth < 30, "a malformed exception class")
        if "builtin" in desc:
            raw = desc["builtin"]
            found: Any = getattr(builtins, raw, None) if type(raw) is str else None
            _require(isinstance(found, type) and issubclass(found, BaseException), "a bad builtin")
            if issubclass(found, Exception):
                return found
            # Not an Exception: re-created as a LearnerRaised subclass (module "" marks it).
            desc = {"name": raw, "qualname": raw, "module": "", "bases": []}
        fields: list[Any] = [desc.get(k) for k in ("name", "qualname", "module", "bases")]
        name, qualname, module, bases = fields
        ok = all(type(s) is str and len(s) < 500 for s in (name, qualname, module))
        ok = ok and "\0" not in name
        _require(ok and type(bases) is list and len(bases) < 20, "a malformed exception class")
        if (module, qualname) not in self.classes:
            resolved = tuple(self.exception_class(b, depth + 1) for b in bases)
            if module == "":  # a builtin BaseException that is not an Exception
                resolved, module = (LearnerRaised,), "learner"
            ns = {"__module__": module, "__qualname__": qualname, "__str__": _learner_str}
            try:
                cls = type(name, resolved or (Exception,), ns)
            except TypeError:  # layout conflict, duplicate base, no MRO
                simple = any(issubclass(b, LearnerRaised) for b in resolved)
                cls = type(name, (LearnerRaised if simple else Exception,), ns)
            self.classes.setdefault((desc["module"], qualname), cls)
        return self.classes[(desc["module"], qualname)]

    def learner_exception(self, err: Any) -> BaseException:
        """The exception to raise in the test for an exception of learner code."""
        _require(type(err) is dict, "a malformed exception")
        cls = self.exception_class(err.get("type"), 0)
        fields: list[Any] = [err.get(k) for k in ("args", "str", "tb", "loc", "name")]
        args, text, note, loc, name = fields
        ok = type(args) is list and type(note) is str and type(text) in (str, type(None))
        _require(ok and type(name) in (str, type(None)), "a malformed exception")
        if loc is not None:
            ok = type(loc) is dict and type(loc.get("file")) is str
            _require(ok and type(loc.get("line")) is int, "a malformed exception location")
            loc = {"file": loc["file"], "line": loc["line"]}
        values = [self.decode(a, "an exception argument") for a in args]
        if issubclass(cls, LearnerRaised):
            values = [f"learner code raised {cls.__name__}" + (f": {text}" if text else "")]
        exc = _instantiate(cls, values)
        attrs = err.get("attrs", {})
        _require(type(attrs) is dict and len(attrs) <= MAX_ATTRIBUTES, "malformed attributes")
        for name, v in attrs.items():
            value = self.decode(v, f"{cls.__qualname__}.{name}")
            if _public(name) and not hasattr(type(exc), name):  # not add_note, errno...
                with contextlib.suppress(Exception):
                    setattr(exc, name, value)
        if (
            text is not None
            and type(exc).__str__ is _learner_str
            and not issubclass(cls, LearnerRaised)
        ):
            exc._lectern_str = text  # type: ignore[attr-defined]
        if name is not None and isinstance(exc, ImportError):
            exc.name = name
        if note:
            exc.add_note(note)
        exc.lectern_learner_location = loc  # type: ignore[attr-defined]
        return exc


def _forward(op: str) -> Callable[..., Any]:
    def method(self: Handle, /, *args: Any) -> Any:
        __tracebackhide__ = True
        return self._lectern(op, *args)

    method.__name__ = f"__{op}__"
    return method


def _reflected(op: str) -> Callable[..., Any]:
    def method(self: Handle, other: Any) -> Any:
        __tracebackhide__ = True
        what = f"{self._lectern_label}.__r{op}__()"
        return self._lectern_conn.call(op, (other, self), what=what)

    method.__name__ = f"__r{op}__"
    return method


class Handle:
    # A learner object left in the learner process: every operation is a request.
    # Never equal to a plain value. (No docstring: __doc__ is the learner object's.)
    # _lectern_type: the learner type's "module.QualName"; _lectern_count: see proxy().

    __slots__ = (
        "__weakref__",
        "_lectern_conn",
        "_lectern_count",
        "_lectern_id",
        "_lectern_label",
        "_lectern_type",
    )

    def __init__(self, conn: _RunnerConnection, ident: int, label: str, type_name: str) -> None:
        object.__setattr__(self, "_lectern_conn", conn)
        object.__setattr__(self, "_lectern_id", ident)
        object.__setattr__(self, "_lectern_label", label)
        object.__setattr__(self, "_lectern_type", type_name)
        object.__setattr__(self, "_lectern_count", 0)

    def _lectern(self, op: str, /, *args: Any) -> Any:
        __tracebackhide__ = True
        what = f"{self._lectern_label}.__{op}__()"
        return self._lectern_conn.call(op, (self, *args), what=what)

    @property
    def __doc__(self) -> Any:  # type: ignore[override]
        return self._lectern_conn.call("getattr", (self, "__doc__"), what=self._lectern_label)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_lectern") or (_is_dunder(name) and name not in _FORWARDED_DUNDERS):
            raise AttributeError(name)  # probes: pytest's __test__, copy's __deepcopy__...
        __tracebackhide__ = True
        what = f"{self._lectern_label}.{name}"
        return self._lectern_conn.call("getattr", (self, name), what=what)

    def __setattr__(self, name: str, value: Any) -> None:
        self._lectern("setattr", name, value)

    def __delattr__(self, name: str) -> None:
        self._lectern("delattr", name)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        what = f"{self._lectern_label}()"
        return self._lectern_conn.call("call", (self, *args), kwargs, what=what)

    def __eq__(self, other: object) -> Any:
        if type(other) is not Handle or other._lectern_conn is not self._lectern_conn:
            return False
        return self._lectern("eq", other)

    def __ne__(self, other: object) -> Any:
        if type(other) is not Handle or other._lectern_conn is not self._lectern_conn:
            return True
        return self._lectern("ne", other)

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> Any:
        return self._lectern("exit", *(_for_learner(exc) if exc is not None else (None, None)))

    def __repr__(self) -> str:
        with contextlib.suppress(Exception):  # for failure messages: never fail
            text = self._lectern("repr")
            if type(text) is str:
                return text
        return f"<{self._lectern_type} object>"

    def __instancecheck__(self, x: Any) -> bool:
        return self._lectern_check("isinstance", x)

    def __subclasscheck__(self, cls: Any) -> bool:
        if type(cls) is not Handle:
            if isinstance(cls, type):
                return False  # a class of the test's process cannot derive from a learner one
            raise TypeError("issubclass() arg 1 must be a class")
        return self._lectern_check("issubclass", cls)

    def _lectern_check(self, op: str, x: Any) -> bool:
        __tracebackhide__ = True
        conn = self._lectern_conn
        try:
            answer = conn.call(op, (x, self), what=f"{op}() with {self._lectern_label}")
        except TypeError as exc:
            if isinstance(exc.__context__, _CannotCross):
                return False  # an object of the test's process is no learner instance
            raise
        if type(answer) is not bool:
            raise conn.broken(f"{op}() did not answer a bool")
        return answer

    def __dir__(self) -> list[str]:
        names = self._lectern("dir")
        if type(names) is not list:
            raise self._lectern_conn.broken("dir() did not answer a list")
        return [n for n in names if type(n) is str]

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("a handle to a learner object cannot be copied or pickled")

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._lectern_conn.release(self._lectern_id, self._lectern_count)


_UNARY = "str format len hash bool int float iter next contains getitem setitem delitem"
for _op in [*_UNARY.split(), "enter", "neg", "pos", "abs", "invert", "lt", "le", "gt", "ge"]:
    setattr(Handle, f"__{_op}__", _forward(_op))
for _op in _BINARY:
    setattr(Handle, f"__{_op}__", _forward(_op))
    setattr(Handle, f"__r{_op}__", _reflected(_op))
    setattr(Handle, f"__i{_op}__", _forward("i" + _op))

_local_dict: Callable[[types.ModuleType], dict[str, Any]] = vars(types.ModuleType)[
    "__dict__"
].__get__


class _Namespace(Mapping[str, Any]):
    """A stand-in's __dict__: the learner module's names (pytest's monkeypatch and
    unittest.mock read it to know what to restore)."""

    def __init__(self, module: StandinModule) -> None:
        self.module = module

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self.module, name)
        except AttributeError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(dir(self.module))

    def __len__(self) -> int:
        return len(dir(self.module))


class StandinModule(types.ModuleType):
    """A learner module in the test runner: each attribute is fetched from the learner
    module when asked for, and set and deleted there."""

    @property
    def __dict__(self) -> Mapping[str, Any]:  # type: ignore[override]
        return _Namespace(self)

    def _lectern_learner(self, name: str) -> Handle:
        learner = _local_dict(self).get("_lectern_module")
        if learner is None or name.startswith("_lectern"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return learner

    def __getattr__(self, name: str) -> Any:
        __tracebackhide__ = True
        learner = self._lectern_learner(name)
        if name == "__all__":  # for `from m import *`
            try:
                return learner.__all__
            except AttributeError:
                return [n for n in dir(learner) if not n.startswith("_")]
        if _is_dunder(name) and name not in _FORWARDED_DUNDERS:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return getattr(learner, name)

    def __setattr__(self, name: str, value: Any) -> None:
        # The import system's own attributes, and a submodule set on its package, stay here.
        if _is_dunder(name) or name.startswith("_lectern") or isinstance(value, StandinModule):
            super().__setattr__(name, value)
        else:
            setattr(self._lectern_learner(name), name, value)

    def __delattr__(self, name: str) -> None:
        if name in _local_dict(self):
            super().__delattr__(name)
        else:
            delattr(self._lectern_learner(name), name)

    def __dir__(self) -> list[str]:
        learner = _local_dict(self).get("_lectern_module")
        return dir(learner) if learner is not None else list(_local_dict(self))

    def __repr__(self) -> str:
        return f"<learner module {self.__name__!r}>"


class StandinImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Gives stand-in modules for the learner's top-level modules and their submodules."""

    def __init__(self, connection: _RunnerConnection, names: Iterable[str]) -> None:
        self.connection = connection
        self.names = frozenset(name.partition(".")[0] for name in names)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] not in self.names:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return StandinModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        name = module.__name__
        answer = self.connection.call("import", (name,), what=name)
        ok = type(answer) is tuple and len(answer) == 2
        if not (ok and type(answer[0]) is Handle and type(answer[1]) is bool):
            raise self.connection.broken(f"a malformed answer to import {name}")
        _local_dict(module)["_lectern_module"] = answer[0]
        if answer[1]:
            module.__path__ = []

    def uninstall(self) -> None:
        """Leave sys.meta_path, and forget the stand-ins imported."""
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for name, module in list(sys.modules.items()):
            if isinstance(module, StandinModule) and getattr(module.__spec__, "loader", 0) is self:
                del sys.modules[name]


def install_standins(sock: socket.socket, module_names: Iterable[str]) -> StandinImporter:
    """Insert a meta_path finder (at position 0) so that importing any of module_names
    (top-level learner modules, e.g. "two_fer", and packages like "shop" with submodules
    "shop.models") gives a stand-in module. Returns the importer."""
    importer = StandinImporter(_RunnerConnection(Channel(sock)), module_names)
    sys.meta_path.insert(0, importer)
    return importer
