"""Small rendering helpers every page uses: the model from the sidebar, metric cards, outcomes."""

from __future__ import annotations

import streamlit as st
from langchain_core.language_models import BaseChatModel

from components.catalog import ROOT
from components.config import ProviderSettings
from components.models.errors import ConfigError, NotAllowed, outcome_message
from components.models.providers import build_chat_model
from components.streaming.result import StreamResult
from components.streaming.units import rate, seconds


def chat_model_or_explain(settings: ProviderSettings, *, streaming: bool,
                          answer_tokens: int = 0) -> BaseChatModel | None:
    """The configured model, or None after telling the user in plain words what to fix."""
    try:
        return build_chat_model(settings, streaming=streaming, answer_tokens=answer_tokens)
    except NotAllowed as error:  # nothing to fix: a choice the owner's key does not cover
        st.warning(f"**Not with this app's key.** {error}", icon=":material/key:")
        return None
    except ConfigError as error:
        st.error(f"**The model settings need a fix.** {error}", icon=":material/build:")
        return None


def show_metrics(result: StreamResult, *, compare_to: StreamResult | None = None) -> None:
    """Three metric cards in a row that wraps rather than stacks on a phone: time to first visible
    text, total time, tokens per second."""
    delta = None
    if compare_to and result.first_visible is not None and compare_to.first_visible is not None:
        delta = f"{result.first_visible - compare_to.first_visible:+.2f} s"
    with st.container(horizontal=True, gap="medium"):
        st.metric("First visible text", seconds(result.first_visible), delta=delta,
                  delta_color="inverse", width="content")
        st.metric("Total time", seconds(result.total_time), width="content")
        st.metric("Tokens/s", rate(result.overall_rate), width="content",
                  help="Output tokens over the whole call, as the user experiences it.")


def show_outcome(result: StreamResult, settings: ProviderSettings) -> None:
    """A clear message when the call did not simply finish; the text already shown stays."""
    message = outcome_message(result, base_url=settings.base_url)
    if message is None:
        return
    if result.error is not None:
        st.error(message, icon=":material/error:")
    else:
        st.warning(message, icon=":material/content_cut:")


def show_code(name: str) -> None:
    """The lesson's take-home script, read from examples/ so the page shows exactly the code the tests run."""
    with st.expander("The code", icon=":material/code:"):
        st.caption(f"`streamlit run examples/{name}.py`: LangChain and Streamlit only, about 40 lines. "
                   "A tiny simulated model is defined inside; with `OPENAI_API_KEY` set it uses OpenAI.")
        st.code((ROOT / "examples" / f"{name}.py").read_text(encoding="utf-8"), language="python",
                wrap_lines=True)
