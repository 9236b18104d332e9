"""Prompt checks shared by every page: empty and huge prompts get a message, never a request."""

from __future__ import annotations

from components.config import MAX_PROMPT_CHARS

SAMPLE_PROMPT = "Why should a chat app stream its answers instead of waiting for the whole reply?"
SHORT_PROMPT = "In one sentence: what is streaming?"


def prompt_problem(prompt: str, *, max_chars: int = MAX_PROMPT_CHARS) -> str | None:
    """Why this prompt should not be sent, or None when it is fine."""
    if not prompt.strip():
        return "Type a prompt first: an empty prompt is not sent."
    if len(prompt) > max_chars:
        return (f"That prompt has {len(prompt):,} characters; the limit here is {max_chars:,}. "
                "Shorten it and run again: your text is still in the box.")
    return None
LONG_PROMPT = ("Write a long, detailed guide to streaming LLM output in production, with "
               "paragraphs, bullet lists and Python code blocks.")
DROPS_PROMPT = "What happens when the network drops in the middle of a streamed answer?"
CALLBACKS_PROMPT = "How do callback handlers carry tokens from the model to the screen?"
REDACT_PROMPT = "Summarize the customer's support ticket, with their contact details."
