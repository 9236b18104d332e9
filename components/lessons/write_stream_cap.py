"""The Live typing lesson's `st.write_stream` column, with a limit it states: the quadratic cost made
visible instead of a page that never finishes (a fast 50,000-token answer pushed 100+ MB and the
session dropped). Past the limit the column stops redrawing and the rest arrives once, at the end."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.rendering.bounds import BoundedStream
from components.typing_view import show_text

REDRAW_LIMIT = 8_000
"""Characters `st.write_stream` may redraw token by token; past it every token re-sends them all."""


@dataclass
class CappedText:
    """Tokens for `st.write_stream` until the text reaches `limit` characters; the rest is read to the
    end (the run must finish) but not yielded. Counts what `st.write_stream` re-sent meanwhile."""

    tokens: Iterable[str]
    limit: int = REDRAW_LIMIT
    on_limit: Callable[[CappedText], None] | None = None
    text: str = ""
    shown: int = 0
    """Characters `st.write_stream` drew before it stopped redrawing."""
    resent: int = 0
    """Characters `st.write_stream` sent in all (the whole text again with every token)."""
    stopped: bool = False

    def __iter__(self) -> Iterator[str]:
        bound = BoundedStream()  # the naive column draws hostile output within the same bounds
        for token in self.tokens:
            self.text += token
            if self.stopped:
                continue
            piece = bound.feed(token)
            self.shown += len(piece)
            self.resent += self.shown
            if piece:
                yield piece
            if self.shown >= self.limit:
                self.stopped = True
                if self.on_limit:
                    self.on_limit(self)
        if not self.stopped and (rest := bound.close()):
            yield rest


def write_stream_capped(slot: DeltaGenerator, tokens: Iterable[str]) -> str:
    """`st.write_stream` into `slot` up to REDRAW_LIMIT characters, saying so on screen if it stops;
    the whole answer is then drawn once, in place of the stopped stream. Returns the whole text."""
    box = slot.container()
    note, streamed = box.empty(), box.empty()

    def stop_redrawing(capped: CappedText) -> None:
        note.info(f"**`st.write_stream` stopped redrawing at {capped.shown:,} characters.** It re-sends "
                  f"the whole text with every token: {capped.resent / 1e6:,.1f} MB so far for "
                  f"{capped.shown / 1000:,.0f} KB of text, growing with the square of the answer. The "
                  "rest is drawn once, when the answer ends.", icon=":material/speed:")

    capped = CappedText(tokens, on_limit=stop_redrawing)
    with streamed.container():
        st.write_stream(capped, cursor="▌")
    if capped.stopped:
        show_text(streamed, capped.text)
    return capped.text
