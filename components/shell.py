"""Deep links must run inside the app shell, even as the first request a fresh server sees.

Streamlit (checked on 1.67) runs `pages/*.py` in its legacy multipage mode, without `app.py`,
until some session has called `st.navigation`: a demo link such as `/live_typing` opened first
after a deploy shows the page without the shared sidebar and with file-name navigation. Every
page calls `ensure_app_shell()` first; in that mode it turns the legacy mode off and reruns, so
`app.py` runs and resolves the same URL.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_app_shell() -> None:
    """Rerun through `app.py` when Streamlit ran this page without it (a cold deep link)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
