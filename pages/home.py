"""Home: what the lab shows, and a link to every lesson."""

import streamlit as st

from components.catalog import built_lessons
from components.shell import ensure_app_shell
from components.sidebar import current_settings

ensure_app_shell()

st.title("Streaming Lab")
st.markdown(
    "How to stream LLM output **in production** with LangChain and Streamlit, proved live. "
    "Every page runs a real model call and shows what it measured on that very run: "
    "time to first token, bytes sent, tokens lost or saved."
)
st.caption(f"Model in use: `{current_settings().label}` — change it in the sidebar. "
           "The default simulated model needs no key and no network.")

for lesson in built_lessons():
    with st.container(border=True):
        st.page_link(lesson.file, label=f"**{lesson.title}**", icon=lesson.icon)
        st.caption(lesson.summary)
