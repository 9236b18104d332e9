"""The chat's state machine, without Streamlit: what a prompt or a button does to the stored
conversation, and when a reply starts. The chat page only draws what this decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from components.chat.cache import CacheStats, ReplayChatModel, ReplyCache, who_asks
from components.chat.conversation import Conversation, Turn, within_budget
from components.chat.reply_worker import ReplyWorker
from components.chat.stream_store import StoreUnavailable, StreamStore, new_reply_key
from components.config import ChatConfig, ProviderSettings
from components.models.errors import ConfigError
from components.models.prompts import prompt_problem
from components.models.providers import build_chat_model, recovery_for
from components.streaming.result import StreamResult

Action = Literal["clear", "regenerate", "retry"]
STORE_DOWN = ("The chat's store is unreachable right now ({error}), so the chat cannot be shown or "
              "sent to. Your message is below to send again in a moment; the conversation shows "
              "again once the store is back.")


@dataclass(frozen=True)
class Step:
    """What one script run of the chat decided: the conversation to draw and what to say."""

    conversation: Conversation
    started: bool = False
    """This run started the reply being written (False: it found one already being written)."""
    queued: bool = False
    """The prompt was stored while another reply is being written: it is answered next, in order."""
    refused: str = ""
    """Why the prompt was not sent ("" when it was, or when there was none)."""
    kept_prompt: str = ""
    """The refused prompt, so the page can give it back to the user."""


@dataclass(frozen=True)
class _Reply:
    """How to start the next reply: keep text already shown (Retry), skip the cache and move the
    simulated model's seed on (Regenerate: a new answer, not the same one again)."""

    on_screen: str = ""
    use_cache: bool = True
    variant: int = 0


class ChatSession:
    """One chat (its id in the store), the cache and the settings of this script run."""

    def __init__(self, store: StreamStore, chat_id: str, config: ChatConfig, cache: ReplyCache,
                 stats: CacheStats, settings: ProviderSettings, *, paced_replay: bool = False) -> None:
        self.store, self.chat_id, self.config = store, chat_id, config
        self.cache, self.stats, self.settings = cache, stats, settings
        self.paced_replay = paced_replay

    def load(self) -> Conversation:
        return self.store.load_chat(self.chat_id) or Conversation()

    def load_or_none(self) -> Conversation | None:
        """The conversation, or None while the store is unreachable (the page says so elsewhere)."""
        try:
            return self.load()
        except StoreUnavailable:
            return None

    def step(self, *, action: Action | None = None, prompt: str | None = None) -> Step:
        """Apply a button's action, then a prompt, then start the reply the chat waits for.
        A store that cannot be reached is a message, with the prompt given back."""
        try:
            return self._step(action, prompt)
        except StoreUnavailable as error:
            return Step(Conversation(), refused=STORE_DOWN.format(error=error),
                        kept_prompt=prompt or "")

    def _step(self, action: Action | None, prompt: str | None) -> Step:
        conversation = self.load()
        reply = _Reply()
        if action is not None and conversation.streaming is None:
            conversation, reply = self._apply(action, conversation)
        queued = False
        if prompt is not None:
            if problem := prompt_problem(prompt, max_chars=self.config.max_prompt_chars):
                return Step(conversation, refused=problem, kept_prompt=prompt)
            # stored at once, even while a reply is being written (another tab's, say): it is
            # answered when that reply ends, in the order prompts came
            conversation = self.store.update_chat(self.chat_id, lambda c: c.ask(prompt))
            queued = conversation.streaming is not None
        # one place starts a reply: a new prompt, Regenerate/Retry, the next queued prompt, or a
        # prompt whose reply never started (a rerun came between storing it and the worker)
        if conversation.streaming is None and (index := conversation.unanswered()) is not None:
            conversation = self._start(conversation, index, reply)
            return Step(conversation, started=conversation.streaming is not None)
        return Step(conversation, queued=queued)

    def _apply(self, action: Action, conversation: Conversation) -> tuple[Conversation, _Reply]:
        if action == "clear":
            return self.store.update_chat(self.chat_id, lambda c: c.turns.clear()), _Reply()
        last = conversation.turns[-1] if conversation.turns else None
        if last is None or last.role != "assistant":
            return conversation, _Reply()
        conversation = self.store.update_chat(self.chat_id, Conversation.reopen_last)
        if action == "retry":  # keep the partial text; add only what is new
            return conversation, _Reply(on_screen=last.content, variant=last.variant)
        return conversation, _Reply(use_cache=False, variant=last.variant + 1)

    def _start(self, conversation: Conversation, prompt: int, reply: _Reply) -> Conversation:
        """Start a worker on prompt `prompt`; returns the conversation as stored once it runs (or
        with an error turn, when the model cannot even be built)."""
        settings = self.settings
        messages, trimmed = within_budget(conversation.messages(upto=prompt), self.config.history_tokens)
        try:
            model = build_chat_model(settings, streaming=True, variant=reply.variant)
        except ConfigError as error:
            turn = Turn("assistant", reply.on_screen, label=settings.label, error=str(error))
            return self.store.update_chat(self.chat_id, lambda c: c.answer(turn))
        who = who_asks(settings)
        hit = self.cache.lookup(model, messages, who) if reply.use_cache else None
        if reply.use_cache:
            self.stats.record(hit is not None)
        source = ReplayChatModel(reply_text=hit.text, token_times=hit.token_times,
                                 paced=self.paced_replay) if hit else model
        cache = self.cache

        def remember(result: StreamResult) -> None:
            cache.store(model, messages, result, who)

        return ReplyWorker(self.store, self.chat_id, new_reply_key(), source, messages,
                           label=hit.label if hit else settings.label, cached=hit is not None,
                           trimmed=trimmed, on_screen=reply.on_screen, base_url=settings.base_url,
                           after=remember, recovery=recovery_for(settings),
                           variant=reply.variant).start(prompt)
