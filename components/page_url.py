"""A page's widgets bound to its URL (`st.query_params`): a bookmark opens its scenario ready to run,
and changing a widget updates the address bar, so the scenario on screen can be shared as it is.

The URL is read once per new value, as untrusted input (`components/url_params.py`): a malformed,
unknown or out-of-range value leaves the widget at its default and is dropped from the URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from components.url_params import Choice, Number, Setting, query

SEEN = "_url_seen."
"""Session keys holding the URL text a widget was last set from (or wrote), so a rerun does not
undo what the user just changed in the widget."""


class UrlSettings:
    """The page's settings from its URL, as widget keys; `sync()` writes what the page used back."""

    def __init__(self, page: str, settings: Sequence[Setting]) -> None:
        self.page = page
        self.settings = {s.name: s for s in settings}
        for setting in settings:
            raw = tuple(st.query_params.get_all(setting.name))
            parsed = setting.parse(raw) if raw else None
            key, seen = self.key(setting.name), SEEN + self.key(setting.name)
            if parsed is not None and st.session_state.get(seen) != raw:
                st.session_state[key] = list(parsed) if isinstance(parsed, tuple) else parsed
            elif key not in st.session_state:
                default = setting.default
                st.session_state[key] = list(default) if isinstance(default, tuple) else default
            st.session_state[seen] = raw

    def key(self, name: str) -> str:
        """The widget key that holds this setting (preset from the URL or the default)."""
        return f"{self.page}.url.{name}"

    def value(self, name: str) -> Any:
        """This setting now: what the URL asked for, or the default (for settings without a widget)."""
        return st.session_state[self.key(name)]

    def slider(self, name: str) -> dict[str, Any]:
        """`st.slider` arguments for a number setting: its range, step and key."""
        setting = self.settings[name]
        assert isinstance(setting, Number)
        return {"min_value": setting.low, "max_value": setting.high, "step": setting.step,
                "key": self.key(name)}

    def choice(self, name: str) -> dict[str, Any]:
        """`st.selectbox` arguments for a choice: its options and key."""
        setting = self.settings[name]
        assert isinstance(setting, Choice)
        return {"options": setting.options, "key": self.key(name)}

    def sync(self, **values: Any) -> None:
        """Put these values in the URL, leaving out those at their default."""
        wanted = query(values, list(self.settings.values()))
        for name in values:
            if name in wanted:
                if st.query_params.get_all(name) != [wanted[name]]:
                    st.query_params[name] = wanted[name]
            elif name in st.query_params:
                del st.query_params[name]
            st.session_state[SEEN + self.key(name)] = (wanted[name],) if name in wanted else ()
