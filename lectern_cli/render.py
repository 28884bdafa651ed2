"""What `lectern test` and `lectern submit` print while the tests run: a line
per test as it finishes, and on a terminal, colours and a progress bar."""

import os
import sys
from typing import Any, TextIO

_COLOURS = {"pass": "32", "fail": "31", "error": "33", "dim": "2", "bold": "1"}
_LABELS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skip": "SKIP"}
BAR_WIDTH = 24


class Progress:
    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.tty = out.isatty()
        # https://no-color.org: colours off when NO_COLOR is set, and off the terminal.
        self.colour = self.tty and not os.environ.get("NO_COLOR")
        self.total = 0
        self.done = 0
        self.bar_shown = False

    def paint(self, text: str, style: str) -> str:
        return f"\x1b[{_COLOURS[style]}m{text}\x1b[0m" if self.colour else text

    def line(self, text: str = "") -> None:
        self._clear_bar()
        self.out.write(text + "\n")
        self._draw_bar()
        self.out.flush()

    def _clear_bar(self) -> None:
        if self.bar_shown:
            self.out.write("\r\x1b[K")
            self.bar_shown = False

    def _draw_bar(self) -> None:
        if not (self.tty and self.total):
            return
        filled = BAR_WIDTH * self.done // self.total
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        self.out.write(f"[{bar}] {self.done}/{self.total} tests")
        self.bar_shown = True

    def handle(self, message: dict[str, Any]) -> None:
        kind, data = message.get("type"), message.get("data") or {}
        if kind == "queued" or kind == "position":
            if data.get("position"):
                retry = " again (the grader restarted)" if data.get("retry") else ""
                self.line(self.paint(f"Queued{retry}, position {data['position']}.", "dim"))
        elif kind == "grader" and not data.get("available", True):
            self.line(self.paint(str(data.get("message", "")), "error"))
        elif kind == "started":
            self.total = len(data.get("tests", []))
            self.line(f"Running {self.total} tests.")
        elif kind == "test":
            self.done += 1
            self.test_line(data)

    def test_line(self, test: dict[str, Any]) -> None:
        status = str(test.get("status", "error"))
        label = self.paint(
            f"{_LABELS.get(status, status.upper()):<5}", status if status in _COLOURS else "error"
        )
        points = f"{test.get('points', 0):g}/{test.get('max_points', 0):g}"
        self.line(f"  {label} {test.get('name', '')}  {self.paint(points, 'dim')}")
        if status != "pass":
            for text in (test.get("message") or "").strip().splitlines()[:12]:
                self.line("        " + text)

    def finish(self, result: dict[str, Any]) -> None:
        self.done = self.total
        self._clear_bar()
        self.total = 0
        status = result.get("status")
        style = "pass" if status == "pass" else "fail" if status == "fail" else "error"
        message = str(result.get("message", ""))
        location = result.get("location") or {}
        where = f"{location.get('file')}, line {location.get('line')}" if location else ""
        if where and where not in message:
            message += f" ({where})"
        for text in message.splitlines() or [""]:
            self.line(self.paint(text, style))
        if result.get("output"):
            self.line(self.paint("Printed while importing:", "dim"))
            for text in str(result["output"]).splitlines()[:20]:
                self.line("  " + text)
        self.line(
            self.paint(f"Score {result.get('score', 0):g}/{result.get('max_score', 0):g}", "bold")
        )
