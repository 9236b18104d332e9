"""Every page test runs as on a server that has already run app.py once."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager


@pytest.fixture(autouse=True)
def served_app_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Model a server that has run app.py once: AppTest resets Streamlit's legacy-pages flag
    before every run, as for a fresh process. The cold deep link itself is a browser test."""
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
