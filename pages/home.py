"""Home: what the lab shows, a five-minute demo path, and a link to every lesson."""

import streamlit as st

from components.catalog import DEMO_PATH, built_lessons
from components.shell import ensure_app_shell
from components.sidebar import current_settings

ensure_app_shell()

st.title("Streaming Lab")
st.markdown(
    "How to stream LLM output **in production** with LangChain and Streamlit, proved live. Every "
    "page calls a LangChain chat model and shows what it measured on that very run: time to first "
    "text, bytes sent, tokens lost or saved."
)
st.caption(f"Model in use: `{current_settings().label}`. By default a simulated chat model on this "
           "machine: no key, no network, realistic timing, and seeded, so the same prompt gives the same "
           "answer at the same pace every time. Point the sidebar at OpenAI or any compatible server "
           "to run the same lessons on a real model.")

st.subheader("A five-minute demo")
st.caption("One stop per lesson, about a minute each. Each link opens its scenario ready to run; every "
           "page keeps its settings in the URL, so any scenario can be bookmarked.")
built = built_lessons()
steps = [step for step in DEMO_PATH if step.page in built]
for number, step in enumerate(steps, start=1):
    with st.container(border=True, key=f"demo_step_{number}"):
        st.page_link(step.page.file, label=f"**{number}. {step.page.title}**", icon=step.page.icon,
                     query_params=step.query or None)
        st.caption(step.page.summary)
        st.markdown(f"{step.click}  \nPoint at: {step.point_at}")
for lesson in (page for page in built if page not in {step.page for step in steps}):
    with st.container(border=True):
        st.page_link(lesson.file, label=f"**{lesson.title}**", icon=lesson.icon)
        st.caption(lesson.summary)
