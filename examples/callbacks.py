"""Tokens reach the screen only through a callback handler. Run: streamlit run examples/callbacks.py"""
import os
import time

import streamlit as st
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from langchain_openai import ChatOpenAI

ANSWER = "A handler hears every token; without one, invoke() streams but nothing reaches the page."


class TinyModel(BaseChatModel):
    """Stands in for a model when OPENAI_API_KEY is unset: 0.4 s to the first word, 25 words a second."""
    streaming: bool = False  # as in ChatOpenAI(streaming=True): invoke() streams to the handlers
    _llm_type = property(lambda self: "tiny")

    def _stream(self, *args, **kwargs):
        for i, word in enumerate(ANSWER.split(" ")):
            time.sleep(0.4 if i == 0 else 0.04)
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))

    def _generate(self, *args, **kwargs):
        return generate_from_stream(self._stream())


class ToScreen(BaseCallbackHandler):
    """Carries each token to the page, redrawn at most 10 times a second (each redraw sends it all)."""
    def __init__(self, slot):
        self.slot, self.text, self.draws = slot, "", []

    def on_llm_new_token(self, token, **kwargs):
        self.text += token
        if not self.draws or time.perf_counter() - self.draws[-1] > 0.1:
            self.slot.markdown(self.text + "▌")
            self.draws.append(time.perf_counter())


model = ChatOpenAI(streaming=True) if os.environ.get("OPENAI_API_KEY") else TinyModel(streaming=True)
attach = st.toggle("Attach the handler", value=True)
if st.button("Run"):
    start, slot = time.perf_counter(), st.empty()
    handlers = [ToScreen(slot)] if attach else []
    answer = model.invoke("How do tokens reach the screen?", config={"callbacks": handlers})
    slot.markdown(answer.text)  # the last draw: nothing the 0.1 s pace held back is lost
    first = handlers[0].draws[0] if handlers else time.perf_counter()  # without one: at the end
    st.caption(f"First words on screen after {first - start:.1f} s")
