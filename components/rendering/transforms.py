"""Middleware on a token stream: redact, mask or restyle text on its way to the screen, chunk by chunk.

A rule knows which characters a match can contain (its alphabet) and which can start one. A match
never crosses a character outside the alphabet, so everything up to the last such character is
final; of the open run after it, only the part from its first possible start character is held
back. That is the smallest look-ahead that still guarantees `alice@exa` + `mple.com` is redacted
exactly as the whole text would be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rule:
    """One substitution and what its matches can be made of."""

    name: str
    pattern: re.Pattern[str]
    alphabet: re.Pattern[str]
    """One character that a match may contain."""
    starts: re.Pattern[str]
    """One character that a match may begin with."""
    replacement: str | Callable[[re.Match[str]], str]
    counted: bool = True
    """Whether matches are whole units worth counting (a restyle without look-ahead splits words)."""

    def apply(self, text: str) -> str:
        return self.pattern.sub(self.replacement, text)

    def apply_counted(self, text: str) -> tuple[str, int]:
        """The text with the rule applied, and how many matches it replaced."""
        return self.pattern.subn(self.replacement, text)


EMAIL = Rule("e-mail addresses", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
             re.compile(r"[A-Za-z0-9._%+@-]"), re.compile(r"[A-Za-z0-9._%+-]"), "[e-mail]")
PHONE = Rule("phone numbers",
             re.compile(r"(?:\+\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b"),
             re.compile(r"[\d+() .-]"), re.compile(r"[\d+(]"), "[phone]")
SECRET = Rule("secrets (API keys)", re.compile(r"\b(?:sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16})\b"),
              re.compile(r"[\w-]"), re.compile(r"[\w-]"), "[secret]")
"""`\b` looks at the character before a match, so the whole open run is held, not just from `s`."""


def word_mask(words: Sequence[str]) -> Rule:
    """Mask whole words (any case) with asterisks of the same length."""
    cleaned = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    alternatives = "|".join(map(re.escape, cleaned)) or r"(?!x)x"
    # `\b` depends on the character before a word: the whole open word is held
    return Rule("masked words", re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE),
                re.compile(r"\w"), re.compile(r"\w"), lambda m: "*" * len(m.group(0)))


UPPER = Rule("upper case", re.compile(r"[^\W\d_]+"), re.compile(r"(?!x)x"), re.compile(r"(?!x)x"),
             lambda m: m.group(0).upper(), counted=False)
"""A restyle that needs no look-ahead: every character is final as it arrives."""


class RuleStream:
    """One rule applied to a stream: `feed()` returns what is final, `close()` the rest."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.held = ""
        self.matches = 0
        """Matches replaced so far: what the page reports is what the stage did, not a guess."""

    def feed(self, chunk: str) -> str:
        text = self.held + chunk
        cut = self._safe_cut(text)
        ready, self.held = text[:cut], text[cut:]
        return self._apply(ready)

    def close(self) -> str:
        rest, self.held = self.held, ""
        return self._apply(rest)

    def _apply(self, text: str) -> str:
        out, n = self.rule.apply_counted(text)
        self.matches += n
        return out

    def _safe_cut(self, text: str) -> int:
        """Where the held part starts: the open run of alphabet characters, from a start character."""
        cut = len(text)
        while cut > 0 and self.rule.alphabet.fullmatch(text[cut - 1]):
            cut -= 1
        while cut < len(text) and not self.rule.starts.fullmatch(text[cut]):
            cut += 1
        return cut


@dataclass
class StreamTransform:
    """Rules applied in order, each streaming into the next; the same result as on the whole text."""

    rules: Sequence[Rule]
    _stages: list[RuleStream] = field(init=False)
    max_held: int = 0
    """The largest look-ahead the run needed, in characters (for the page)."""

    def __post_init__(self) -> None:
        self._stages = [RuleStream(rule) for rule in self.rules]

    @property
    def held(self) -> int:
        return sum(len(stage.held) for stage in self._stages)

    def feed(self, chunk: str) -> str:
        for stage in self._stages:
            chunk = stage.feed(chunk)
        self.max_held = max(self.max_held, self.held)
        return chunk

    def close(self) -> str:
        out = ""
        for stage in self._stages:
            out = stage.feed(out) + stage.close()
        return out

    @property
    def counts(self) -> dict[str, int]:
        """Matches each counted rule replaced in the stream so far, by rule name."""
        return {stage.rule.name: stage.matches for stage in self._stages if stage.rule.counted}

    def whole(self, text: str) -> str:
        """The reference: every rule applied to the complete text at once."""
        for rule in self.rules:
            text = rule.apply(text)
        return text

    def whole_counts(self, text: str) -> dict[str, int]:
        """The reference counts: every rule applied to the complete text at once."""
        counts = {}
        for rule in self.rules:
            text, n = rule.apply_counted(text)
            if rule.counted:
                counts[rule.name] = n
        return counts


TRANSFORMS: dict[str, Callable[[], StreamTransform]] = {
    "redact": lambda: StreamTransform([SECRET, EMAIL, PHONE]),
    "mask": lambda: StreamTransform([word_mask(["stream", "streaming", "token", "tokens"])]),
    "upper": lambda: StreamTransform([UPPER]),
}
TRANSFORM_LABELS = {"redact": "Redact secrets, e-mail addresses and phone numbers",
                    "mask": "Mask a word list (stream, streaming, token, tokens)",
                    "upper": "Restyle: UPPER CASE"}
