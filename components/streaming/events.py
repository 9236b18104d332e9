"""What a run tells its reader, in one vocabulary: the page's reader, the chat's stream store and the
recovery supervisor all speak it, so nothing is translated on the way from the model to the screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.streaming.result import Attempt


@dataclass(frozen=True, slots=True)
class Delta:
    """Text to add after what is on screen."""

    text: str


@dataclass(frozen=True, slots=True)
class Replace:
    """The whole text on screen becomes this (a retry that diverged, a full response)."""

    text: str


@dataclass(frozen=True, slots=True)
class Status:
    """What recovery is doing now, for a status line."""

    text: str


@dataclass(frozen=True, slots=True)
class Logged:
    """One request of the run has ended (the attempt log)."""

    attempt: Attempt


@dataclass(frozen=True, slots=True)
class Completed:
    """The run ended with a whole answer."""

    text: str
    finish_reason: str | None
    usage: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Failed:
    """The run ended without one: an error, or the reader's own Stop (StreamCancelled)."""

    error: BaseException


ScreenChange = Delta | Replace
"""What changes the text on screen."""
Event = Delta | Replace | Status | Logged | Completed | Failed


def change_to(shown: str, text: str) -> ScreenChange | None:
    """The one change that takes the screen from `shown` to `text`: the rest when `text` extends
    what is shown, else a replacement; None when it already shows `text`."""
    if text == shown:
        return None
    if text.startswith(shown):
        return Delta(text[len(shown):])
    return Replace(text)
