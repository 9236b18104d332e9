"""A page's settings as URL query parameters, read as untrusted input: a bookmark opens a ready scenario.

Each setting knows its name in the URL, its default and what a valid value is. `parse()` turns the
URL's text into a value or None (missing, malformed, unknown or out of range): the page then uses
the default, it never raises. `encode()` writes a value back. Imports nothing of ours, like config.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 500
"""Longest text a URL may carry into a widget (a prompt); anything longer is ignored."""
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of keys, e.g. `fault=drop`."""

    name: str
    options: tuple[str, ...]
    default: str

    def parse(self, values: Sequence[str]) -> str | None:
        return values[-1] if values and values[-1] in self.options else None

    def encode(self, value: Any) -> str:
        return str(value)


@dataclass(frozen=True)
class Number:
    """A number in [low, high] on a grid of `step` (an int when all three are ints), e.g. `after=40`."""

    name: str
    low: float
    high: float
    default: float
    step: float

    @property
    def whole(self) -> bool:
        return all(isinstance(x, int) for x in (self.low, self.high, self.step))

    def parse(self, values: Sequence[str]) -> float | int | None:
        if not values or len(values[-1]) > 32:
            return None
        try:
            number = float(values[-1])
        except ValueError:
            return None
        if not math.isfinite(number) or not self.low <= number <= self.high:
            return None
        snapped = self.low + round((number - self.low) / self.step) * self.step
        snapped = min(max(snapped, self.low), self.high)
        return round(snapped) if self.whole else round(snapped, 6)

    def encode(self, value: Any) -> str:
        return f"{value:g}"


@dataclass(frozen=True)
class Flag:
    """On or off: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off`."""

    name: str
    default: bool

    def parse(self, values: Sequence[str]) -> bool | None:
        word = values[-1].strip().lower() if values else ""
        return True if word in TRUE else False if word in FALSE else None

    def encode(self, value: Any) -> str:
        return "1" if value else "0"


@dataclass(frozen=True)
class Text:
    """Free text such as a prompt: not blank, at most `max_chars` (so a link cannot carry a novel)."""

    name: str
    default: str
    max_chars: int = MAX_TEXT

    def parse(self, values: Sequence[str]) -> str | None:
        text = values[-1] if values else ""
        return text if text.strip() and len(text) <= self.max_chars and "\x00" not in text else None

    def encode(self, value: Any) -> str:
        return str(value)


@dataclass(frozen=True)
class Several:
    """Between `fewest` and `most` distinct keys, comma-separated in order, e.g. `compare=a,b,c`."""

    name: str
    options: tuple[str, ...]
    default: tuple[str, ...]
    fewest: int
    most: int

    def parse(self, values: Sequence[str]) -> tuple[str, ...] | None:
        keys = tuple(k.strip() for k in (values[-1] if values else "").split(",") if k.strip())
        valid = all(k in self.options for k in keys) and len(set(keys)) == len(keys)
        return keys if valid and self.fewest <= len(keys) <= self.most else None

    def encode(self, value: Any) -> str:
        return ",".join(value)


Setting = Choice | Number | Flag | Text | Several


def read(params: dict[str, Sequence[str]], settings: Sequence[Setting]) -> dict[str, Any]:
    """Every setting's value from the URL's parameters, its default where the URL has none that is
    valid. Parameters the page does not know are ignored."""
    values = {}
    for setting in settings:
        parsed = setting.parse(list(params.get(setting.name, ())))
        values[setting.name] = setting.default if parsed is None else parsed
    return values


def query(values: dict[str, Any], settings: Sequence[Setting]) -> dict[str, str]:
    """The URL parameters for these values: only those that differ from their default, so a link
    carries exactly what makes its scenario."""
    by_name = {s.name: s for s in settings}
    return {name: by_name[name].encode(value) for name, value in values.items()
            if name in by_name and _differs(value, by_name[name].default)}


def _differs(value: Any, default: Any) -> bool:
    if isinstance(value, list):
        value = tuple(value)
    if isinstance(value, float) or isinstance(default, float):
        return not math.isclose(float(value), float(default))
    return value != default
