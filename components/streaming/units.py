"""How the lab writes a measured time or rate, so every caption and card reads the same."""

from __future__ import annotations


def seconds(value: float | None) -> str:
    """A duration for a metric card: `0.41 s`, or an em dash when it is unknown."""
    return "—" if value is None else f"{value:.2f} s"


def rate(value: float | None) -> str:
    """A rate with no decimals (`38`), or an em dash when it is unknown."""
    return "—" if value is None else f"{value:.0f}"
