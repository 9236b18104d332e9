"""A stream that breaks mid-answer still ends whole: keep the partial text, fetch the rest.
Run: streamlit run examples/network_drops.py"""
import os
import time

import streamlit as st
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from langchain_openai import ChatOpenAI

ANSWER = "The text that reached the user stays on screen, and only the missing end is added after it."


class TinyModel(BaseChatModel):
    """Stands in for a model when OPENAI_API_KEY is unset; its first stream drops after eight words."""
    drops: int = 1
    _llm_type = property(lambda self: "tiny")

    def _stream(self, *args, **kwargs):
        for i, word in enumerate(ANSWER.split(" ")):
            if i == 8 and self.drops:
                self.drops -= 1
                raise ConnectionError("the connection dropped mid-answer")
            time.sleep(0.4 if i == 0 else 0.04)
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))

    def _generate(self, *args, **kwargs):
        return generate_from_stream(self._stream())


model = ChatOpenAI() if os.environ.get("OPENAI_API_KEY") else TinyModel()
prompt = "What happens when the network drops?"
if st.button("Stream it"):
    slot, text = st.empty(), ""
    try:
        for chunk in model.stream(prompt):
            text += chunk.text
            slot.markdown(text + "▌")
    except Exception as error:  # with_fallbacks guards only the first chunk: recover here
        st.caption(f"{error}: keeping the {len(text)} characters shown, fetching the whole answer…")
        full = model.invoke(prompt).text
        text = text + full[len(text):] if full.startswith(text) else full  # nothing shown twice
    slot.markdown(text)
