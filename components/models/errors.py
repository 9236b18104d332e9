"""Human messages for what goes wrong with a model call: never a traceback on a page."""

from __future__ import annotations

import openai

from components.models.faults import INJECTED
from components.streaming.recovery import NotRetryable, StreamStalled, StreamTruncated
from components.streaming.result import StreamResult


class ConfigError(ValueError):
    """The settings cannot work (no key, a malformed URL): say so before any request is made."""


class NotAllowed(ConfigError):
    """The settings would work, but not with the app owner's key (a model the owner did not allow)."""


def explain_error(error: BaseException, *, base_url: str = "") -> str:
    """One or two sentences a stakeholder understands, with what to do next."""
    where = base_url or "the provider"
    if injected := getattr(error, INJECTED, ""):
        return (f"{_what_broke(error)}: the fault this page injected on purpose ({injected}). The model "
                "and its address are fine. Whatever text arrived is kept; Retry adds the rest.")
    if isinstance(error, ConfigError | NotRetryable):
        return str(error)
    if _is_web_page(error):
        return (f"{where} answered with a web page, not the OpenAI API: check the base URL (for "
                "OpenAI-compatible servers it usually ends in `/v1`) and any proxy in front of it.")
    if isinstance(error, StreamStalled):
        return (f"The stream stalled: {error}, longer than the watchdog allows. The text so far "
                "is kept; try again.")
    if isinstance(error, StreamTruncated):
        return ("The stream ended early without a finish reason: the connection closed before the "
                "answer was done. The text so far is kept; try again.")
    if isinstance(error, openai.AuthenticationError):
        return ("The API key was rejected (401). Check `OPENAI_API_KEY` or the key in the "
                "sidebar; for a local server any non-empty key usually works.")
    if isinstance(error, openai.PermissionDeniedError):
        return "The key is valid but may not use this model (403). Pick another model."
    if isinstance(error, openai.NotFoundError):
        return ("The model or endpoint was not found (404). Check the model name and that the "
                "base URL ends in `/v1`.")
    if isinstance(error, openai.RateLimitError):
        return "The provider is rate-limiting requests (429). Wait a moment and try again."
    if isinstance(error, openai.APITimeoutError):
        return f"{where} did not answer in time. It may be overloaded; try again."
    if isinstance(error, openai.APIConnectionError):
        return (f"Could not reach {where}. Check the base URL and that the server is running; "
                "the connection failed or was cut.")
    if isinstance(error, openai.BadRequestError):
        return f"The provider refused the request (400): {_short(error)}"
    if isinstance(error, openai.APIStatusError):
        return f"The provider answered with an error ({error.status_code}). Try again shortly."
    return f"The model call failed: {type(error).__name__}: {_short(error)}"


def _is_web_page(error: BaseException) -> bool:
    """The server answered, but not as the OpenAI API does: HTML where JSON was due (a login page,
    a proxy's error page), or, when streaming, a 200 that carried no stream event at all."""
    text = str(error)[:2000].lower()
    return isinstance(error, ValueError) and ("<!doctype" in text or "<html" in text
                                              or "no generation chunks were returned" in text)


def _what_broke(error: BaseException) -> str:
    """An injected error in a few words, as the provider would have caused it."""
    status = getattr(error, "status_code", None)
    if status == 429:
        return "Rate limited (429)"
    if status:
        return f"The server answered with an error ({status})"
    return "The connection dropped mid-answer"


def _short(error: BaseException, limit: int = 200) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def outcome_message(result: StreamResult, *, base_url: str = "") -> str | None:
    """What to tell the user about how a call ended, or None when it simply finished."""
    if result.error is not None:
        return explain_error(result.error, base_url=base_url)
    if result.cancelled:
        return "Stopped: the reply was cut short on purpose; the text so far is kept."
    if result.finish_reason is None:
        return ("The stream ended without a finish reason: the connection closed early and the "
                "answer may be cut off. The text so far is kept.")
    if result.finish_reason == "length":
        return "The model hit its length limit: the answer is cut off."
    return None
