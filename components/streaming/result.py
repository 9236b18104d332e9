"""The one object every stream ends in: text, token timings, finish reason, error; metrics derive from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Attempt:
    """One request of a call: the first stream, a retry, a resume or the full response."""

    number: int
    kind: str
    tokens: int
    seconds: float
    outcome: str
    """"complete", or what went wrong ("connection dropped", "HTTP 429", "stalled (…)")."""


@dataclass
class StreamResult:
    """What one model call produced and when; all times are seconds since the call started."""

    label: str = ""
    """`provider/model`, for captions."""
    text: str = ""
    """Everything that reached the user (the partial text when the call failed)."""
    token_times: list[float] = field(default_factory=list)
    """Arrival time of each non-empty token, as the callback handler saw it."""
    first_visible: float | None = None
    """When the first text was handed to the screen (for a blocking call: the end)."""
    total_time: float | None = None
    """When the call ended, successfully or not."""
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    error: BaseException | None = None
    cancelled: bool = False
    attempts: list[Attempt] = field(default_factory=list)
    """Every request this call made, in order (recovery adds more than one)."""
    useful_tokens: int | None = None
    """Tokens behind the final text (None: every token received was used)."""
    status: str = ""
    """The last thing recovery said it was doing, for a status line."""
    replaced: bool = False
    """The text on screen was replaced at least once (a diverging retry, a full response)."""

    @property
    def recovered(self) -> bool:
        return self.ok and len(self.attempts) > 1

    @property
    def extra_requests(self) -> int:
        return max(len(self.attempts) - 1, 0)

    @property
    def tokens_received(self) -> int:
        return sum(a.tokens for a in self.attempts) if self.attempts else self.token_count

    @property
    def tokens_wasted(self) -> int:
        """Tokens received (and paid for) that the final text did not need."""
        if self.useful_tokens is None:
            return 0
        return max(self.tokens_received - self.useful_tokens, 0)

    @property
    def ok(self) -> bool:
        """The model finished on its own: no error, not cancelled, and it said why it stopped."""
        return self.error is None and not self.cancelled and self.finish_reason is not None

    @property
    def time_to_first_token(self) -> float | None:
        """First token's arrival; a blocking call's whole answer arrives at the end."""
        if self.token_times:
            return self.token_times[0]
        return self.total_time if self.text else None

    @property
    def token_count(self) -> int:
        """Output tokens: the provider's count when it sent usage, else the tokens we received."""
        if self.usage and self.usage.get("output_tokens"):
            return int(self.usage["output_tokens"])
        return len(self.token_times)

    @property
    def overall_rate(self) -> float | None:
        """Tokens per second over the whole call, as a user waits for it (the wait before the
        first token included; MetricsHandler.streaming_rate leaves it out)."""
        if not self.total_time or not self.token_count:
            return None
        return self.token_count / self.total_time

    def arrival_curve(self) -> list[tuple[float, int]]:
        """(time, tokens received so far) points: per token when streamed, one step when blocking."""
        if self.token_times:
            return [(0.0, 0)] + [(t, i + 1) for i, t in enumerate(self.token_times)]
        if self.total_time is not None and self.token_count:
            return [(0.0, 0), (self.total_time, 0), (self.total_time, self.token_count)]
        return [(0.0, 0)]
