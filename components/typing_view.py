"""The app's default renderer on screen: a typing view (st.components.v2) fed by hidden appends.

`default_sink(place)` is what every streaming page draws through. The view's code and its vendored
markdown-it and DOMPurify are files under static/typing/ (served by `server.enableStaticServing`),
so an update carries only its new text: the component's inline JS is a two-line loader, sent once
per view. Each append is a hidden `st.text` in a feed container that only this reply uses, read in
order by the view: a new element per append, so Streamlit cannot coalesce two of them into one.
"""

from __future__ import annotations

import uuid

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.rendering.bounds import bounded
from components.rendering.sinks import Target
from components.rendering.typing_sink import Feed, TypingSink

_LOADER = """export default (component) =>
  import(new URL("app/static/typing/typing.js", document.baseURI)).then((m) => m.default(component));
"""
_HIDE_FEEDS = "<style>[class*='st-key-typing_feed_']{display:none!important}</style>"
_HIDE_PRELOAD = "<style>.st-key-typing_preload{display:none!important}</style>"
_typing = st.components.v2.component("streaming_lab.typing", js=_LOADER, isolate_styles=False,
                                     css="[class*='st-key-typing_feed_'] {\n  display: none !important;\n}\n")
"""The feed is hidden twice over: by this CSS, which comes with the view, and by _HIDE_FEEDS, which
Streamlit applies before the first paint; the view's code may still be loading when text arrives."""


class _HiddenFeed:
    """Appends as hidden elements of one container (Streamlit keeps them in order, one message each)."""

    def __init__(self, box: DeltaGenerator) -> None:
        self._box = box

    def append(self, payload: str) -> None:
        self._box.text(payload)


class TypingScreen:
    """A Streamlit place that can hold a typing view, and still draws markdown for the other sinks."""

    def __init__(self, place: Target) -> None:
        self._place = place

    def markdown(self, body: str) -> object:
        return self._place.markdown(body)

    def empty(self) -> Target:
        return self._place.empty()

    def container(self) -> Target:
        return self._place.container()

    def typing_view(self, view: str) -> Feed:
        """Mount the view (its code loads while the model thinks) and the feed it reads."""
        box = self._place.container()
        feed = f"typing_feed_{view}_{uuid.uuid4().hex[:6]}"  # a new feed per script run
        with box:
            st.html(_HIDE_FEEDS)
            _typing(key=f"typing_{view}", data={"view": view, "feed": feed})
        return _HiddenFeed(box.container(key=feed))


def preload() -> None:
    """Load the view's code with the page, before any reply: the first words then need no download.
    A hidden element at the end of the sidebar (app.py calls this on every page)."""
    with st.sidebar:
        st.html(_HIDE_PRELOAD)
        _typing(key="typing_preload", data={"preload": True})


def default_sink(place: Target, *, view: str | None = None) -> TypingSink:
    """The app's default: append-only sends, revealed evenly in the browser, markdown bounded."""
    return TypingSink(TypingScreen(place), view=view)


def show_text(place: Target, text: str, *, name: str = "answer") -> None:
    """A finished answer drawn natively, within the renderer's bounds. Shortened, it says why and
    offers the whole text as a download, so nothing the model wrote is lost."""
    drawn, why = bounded(text)
    if not why:
        place.markdown(text)
        return
    with place.container():
        st.markdown(drawn)
        st.caption(f":material/content_cut: Drawn shortened ({why}) so the page stays responsive; "
                   f"the whole {len(text):,}-character {name} is in the download.")
        st.download_button(f"Download the whole {name}", text, f"{name}.md", "text/markdown",
                           icon=":material/download:", key=f"whole_{uuid.uuid4().hex[:10]}")
