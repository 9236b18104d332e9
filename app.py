"""Streaming Lab: page config, the shared sidebar and navigation; each lesson lives in pages/."""

from pathlib import Path

import streamlit as st

from components.catalog import HOME, RENDER_BENCH, built_lessons
from components.sidebar import render_sidebar
from components.typing_view import preload

ICON = Path(__file__).parent / "assets" / "icon.png"  # served by the app: an offline demo has its favicon
st.set_page_config(page_title="Streaming Lab", page_icon=str(ICON), layout="wide")

pages = [st.Page(HOME.file, title=HOME.title, icon=HOME.icon, default=True)]
pages += [st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path) for p in built_lessons()]
pages.append(st.Page(RENDER_BENCH.file, title=RENDER_BENCH.title, url_path=RENDER_BENCH.url_path,
                     visibility="hidden"))
page = st.navigation(pages)
render_sidebar()
preload()  # the typing view's code loads with the page, not with the first reply
page.run()
