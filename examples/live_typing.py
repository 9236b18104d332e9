"""Blocking vs streaming, one prompt both ways. Run: streamlit run examples/live_typing.py"""
import itertools
import os
import time

import streamlit as st
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from langchain_openai import ChatOpenAI

ANSWER = ("Streaming shows each word as the model writes it. The whole answer takes as long, but the "
          "first words come after a blink instead of at the very end.")


class TinyModel(BaseChatModel):
    """Stands in for a model when OPENAI_API_KEY is unset: 0.4 s to the first word, 25 words a second."""
    _llm_type = property(lambda self: "tiny")

    def _stream(self, *args, **kwargs):
        for i, word in enumerate(ANSWER.split(" ")):
            time.sleep(0.4 if i == 0 else 0.04)
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))

    def _generate(self, *args, **kwargs):
        return generate_from_stream(self._stream())


model = ChatOpenAI(model="gpt-4o-mini") if os.environ.get("OPENAI_API_KEY") else TinyModel()

prompt = st.text_input("Prompt", "Why stream answers?")
if st.button("Run both"):
    streamed, blocking = st.columns(2)
    start = time.perf_counter()
    chunks = model.stream(prompt)
    first = next(chunks)  # waits only for the first token
    streamed.caption(f"Streamed: first words after {time.perf_counter() - start:.1f} s")
    streamed.write_stream(itertools.chain([first], chunks))  # then each word as it exists
    start = time.perf_counter()
    with blocking, st.spinner("Blocking: waiting for the whole answer…"):
        text = model.invoke(prompt).text  # nothing to read until the last word
    blocking.caption(f"Blocking: first words after {time.perf_counter() - start:.1f} s")
    blocking.markdown(text)
