"""A streaming chat with history that survives reruns. Run: streamlit run examples/chat.py"""
import os
import time

import streamlit as st
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.outputs import ChatGenerationChunk
from langchain_openai import ChatOpenAI

ANSWER = "Each reply streams into its own message, and the history is sent with every question."


class TinyModel(BaseChatModel):
    """Stands in for a model when OPENAI_API_KEY is unset: 0.4 s to the first word, 25 words a second."""
    _llm_type = property(lambda self: "tiny")

    def _stream(self, messages, *args, **kwargs):
        words = f"({len(messages)} messages sent) {ANSWER}".split(" ")
        for i, word in enumerate(words):
            time.sleep(0.4 if i == 0 else 0.04)
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))

    def _generate(self, messages, *args, **kwargs):
        return generate_from_stream(self._stream(messages))


model = ChatOpenAI() if os.environ.get("OPENAI_API_KEY") else TinyModel()
history = st.session_state.setdefault("history", [])  # a rerun redraws it, nothing is asked again
for message in history:
    st.chat_message("user" if isinstance(message, HumanMessage) else "assistant").markdown(message.text)
if prompt := st.chat_input("Ask about streaming"):
    history.append(HumanMessage(prompt))
    st.chat_message("user").markdown(prompt)
    with st.chat_message("assistant"):
        reply = st.write_stream(chunk.text for chunk in model.stream(history))
    history.append(AIMessage(reply))
