"""Fewer screen updates, the same text: finished paragraphs are drawn once, the live one at most 20
times a second. Run: streamlit run examples/throttling.py"""
import os
import time

import streamlit as st
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from langchain_openai import ChatOpenAI

ANSWER = "A finished paragraph is drawn once.\n\n" * 3 + "Only the last one is redrawn while it types."


class TinyModel(BaseChatModel):
    """Stands in for a model when OPENAI_API_KEY is unset: 0.2 s to the first word, 100 words a second."""
    _llm_type = property(lambda self: "tiny")

    def _stream(self, *args, **kwargs):
        for i, word in enumerate(ANSWER.split(" ")):
            time.sleep(0.2 if i == 0 else 0.01)
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))

    def _generate(self, *args, **kwargs):
        return generate_from_stream(self._stream())


model = ChatOpenAI() if os.environ.get("OPENAI_API_KEY") else TinyModel()
if st.button("Stream"):
    text, done, drawn, updates, tokens = "", 0, 0.0, 0, 0
    live = st.empty()
    for chunk in model.stream("Write four short paragraphs about streaming."):
        text, tokens = text + chunk.text, tokens + 1
        *finished, tail = text.split("\n\n")
        for paragraph in finished[done:]:  # a finished paragraph never changes: draw it once
            live.markdown(paragraph)
            live, done, updates = st.empty(), len(finished), updates + 1
        if time.perf_counter() - drawn > 0.05:  # the unfinished one: at most 20 redraws a second
            live.markdown(tail + "▌")
            drawn, updates = time.perf_counter(), updates + 1
    live.markdown(text.split("\n\n")[-1])  # the final flush: pacing never loses text
    st.caption(f"{updates + 1} screen updates for {tokens} tokens (st.write_stream: {tokens}, each "
               f"re-sending all the text so far)")
