"""The chat's state machine without Streamlit: prompts, refusals, the reply worker, buttons and the cache."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.chat.cache import CacheStats, ReplyCache
from components.chat.conversation import Conversation, Turn
from components.chat.session import Action, ChatSession, Step
from components.chat.stream_store import Ended, InProcessStore, StoredEvent, new_chat_id, stream_id
from components.config import ChatConfig, ProviderSettings
from components.models.answers import pick_answer
from components.models.prompts import SHORT_PROMPT
from components.streaming.events import Delta, Replace
from tests.support.openai_server import DEFAULT_TOKENS, FakeOpenAIServer

PROMPT = SHORT_PROMPT
ANSWER = pick_answer(PROMPT).text
"""The one-line answer (22 tokens): each reply here takes milliseconds, or under half a second."""
MAX_CHARS = 200
FAST = ProviderSettings(ttft_ms=0, tokens_per_second=2_000, jitter=0.0)
SLOW = ProviderSettings(ttft_ms=100, tokens_per_second=60, jitter=0.0)
"""The short answer in about 0.45 s: time enough to act while it is being written."""
SERVER_TEXT = "".join(DEFAULT_TOKENS)


@dataclass
class Lab:
    """What outlives one script run of the chat page: the store, the cache, the session's stats."""

    store: InProcessStore
    cache: ReplyCache
    stats: CacheStats
    chat_id: str

    def session(self, settings: ProviderSettings = FAST) -> ChatSession:
        """A new ChatSession per step, as each script run of the page builds its own."""
        return ChatSession(self.store, self.chat_id, ChatConfig(max_prompt_chars=MAX_CHARS),
                           self.cache, self.stats, settings)

    def step(self, settings: ProviderSettings = FAST, *, action: Action | None = None,
             prompt: str | None = None) -> Step:
        return self.session(settings).step(action=action, prompt=prompt)


@pytest.fixture
def lab(tmp_path: Path) -> Lab:
    return Lab(InProcessStore(), ReplyCache(str(tmp_path / "cache.sqlite")), CacheStats(),
               new_chat_id())


def wait_until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.005)


def finished(lab: Lab, timeout: float = 5.0) -> Conversation:
    """The conversation once no reply is being written any more."""
    session = lab.session()
    wait_until(lambda: session.load().streaming is None, timeout)
    return session.load()


def stored_events(lab: Lab, reply_key: str, timeout: float = 5.0) -> list[StoredEvent]:
    """Everything the reply's worker writes to its stream, read from its start to its end."""
    deadline, cursor, events = time.monotonic() + timeout, "0", []
    while not events or not isinstance(events[-1], Ended):
        assert time.monotonic() < deadline, "the reply did not end in time"
        new, cursor = lab.store.read(stream_id(lab.chat_id, reply_key), cursor, 0.05)
        events += new
    return events


def roles_and_texts(conversation: Conversation) -> list[tuple[str, str]]:
    return [(t.role, t.content) for t in conversation.turns]


def server_settings(server: FakeOpenAIServer) -> ProviderSettings:
    return ProviderSettings(provider="openai", base_url=server.base_url, model="fake-model")


def test_a_prompt_is_stored_and_its_reply_written_in_the_background(lab: Lab) -> None:
    step = lab.step(prompt=PROMPT)
    assert step.started and not step.refused and not step.kept_prompt
    assert roles_and_texts(step.conversation) == [("user", PROMPT)]
    assert step.conversation.streaming is not None  # the page follows this reply
    conversation = finished(lab)
    assert roles_and_texts(conversation) == [("user", PROMPT), ("assistant", ANSWER)]
    reply = conversation.turns[-1]
    assert reply.complete and not reply.cached and reply.label == FAST.label
    assert (lab.stats.lookups, lab.stats.hits) == (1, 0)


@pytest.mark.parametrize("prompt", ["", "   \n\t ", "x" * (MAX_CHARS + 1)],
                         ids=["empty", "whitespace", "over-the-limit"])
def test_an_empty_or_too_long_prompt_is_refused_kept_and_never_sent(lab: Lab, prompt: str) -> None:
    step = lab.step(prompt=prompt)
    assert step.refused
    assert ("limit" in step.refused) == (len(prompt) > MAX_CHARS)
    assert step.kept_prompt == prompt and not step.started
    assert step.conversation == Conversation()
    assert lab.store.load_chat(lab.chat_id) is None  # nothing stored, no reply started
    assert lab.stats.lookups == 0


def test_a_prompt_at_the_limit_is_sent(lab: Lab) -> None:
    prompt = "briefly " + "x" * (MAX_CHARS - len("briefly "))
    step = lab.step(prompt=prompt)
    assert step.started and not step.refused
    assert roles_and_texts(finished(lab)) == [("user", prompt),
                                               ("assistant", pick_answer(prompt).text)]


def test_a_prompt_sent_while_a_reply_is_written_is_queued_and_answered_next_in_order(lab: Lab) -> None:
    first = lab.step(SLOW, prompt=PROMPT)
    second = lab.step(SLOW, prompt="And another question")
    assert first.started and not second.started and second.queued and not second.refused
    assert second.conversation.streaming == first.conversation.streaming
    assert roles_and_texts(second.conversation)[-1] == ("user", "And another question")  # kept
    finished(lab)
    third = lab.step(SLOW)  # the page's next step, once the first reply ended, starts the queued one
    assert third.started
    conversation = finished(lab)
    assert [role for role, _ in roles_and_texts(conversation)] == ["user", "assistant"] * 2
    assert roles_and_texts(conversation)[:3] == [("user", PROMPT), ("assistant", ANSWER),
                                                 ("user", "And another question")]
    assert all(t.complete for t in conversation.turns)


def test_two_tabs_sending_at_the_same_moment_get_two_prompts_and_two_replies_in_order(lab: Lab) -> None:
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def tab(prompt: str) -> None:
        try:
            session = lab.session(SLOW)
            barrier.wait()
            session.step(prompt=prompt)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # what each tab's page does: follow, then step on
                conversation = session.load()
                if conversation.streaming is None and conversation.unanswered() is None:
                    return
                time.sleep(0.02)
                session.step()
            raise AssertionError("the replies did not end")
        except BaseException as error:
            errors.append(error)

    tabs = [threading.Thread(target=tab, args=(p,)) for p in (PROMPT, "How do I keep the chat history?")]
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join(15)
    assert not errors
    turns = finished(lab).turns
    assert [t.role for t in turns] == ["user", "assistant"] * 2
    for prompt, reply in zip(turns[::2], turns[1::2], strict=True):
        assert reply.content == pick_answer(prompt.content).text and reply.complete


def test_regenerate_asks_the_model_again_as_a_new_reply_without_the_cache(
        lab: Lab, openai_server: FakeOpenAIServer) -> None:
    settings = server_settings(openai_server)
    first = lab.step(settings, prompt="talk")
    assert first.started and first.conversation.streaming is not None
    assert roles_and_texts(finished(lab)) == [("user", "talk"), ("assistant", SERVER_TEXT)]
    assert len(openai_server.records) == 1 and lab.stats.lookups == 1

    again = lab.step(settings, action="regenerate")
    assert again.started and again.conversation.streaming is not None
    assert again.conversation.streaming != first.conversation.streaming  # a new stream
    assert roles_and_texts(again.conversation) == [("user", "talk")]  # the old reply is gone
    conversation = finished(lab)
    assert len(openai_server.records) == 2  # the model was asked again, not the cache
    assert openai_server.records[-1].payload["messages"] == [{"role": "user", "content": "talk"}]
    assert lab.stats.lookups == 1  # Regenerate does not even look
    assert roles_and_texts(conversation) == [("user", "talk"), ("assistant", SERVER_TEXT)]
    assert not conversation.turns[-1].cached and conversation.turns[-1].complete


def test_retry_after_a_failed_reply_keeps_the_text_shown_and_adds_only_the_rest(
        lab: Lab, openai_server: FakeOpenAIServer) -> None:
    settings, script = server_settings(openai_server), openai_server.script
    script.fault, script.after = "cut", 3  # the stream breaks after "Hello, this"...
    lab.step(settings, prompt="talk")
    wait_until(lambda: openai_server.records and openai_server.records[0].chunks_sent == 3)
    script.fault, script.status = "status", 400  # ...and the retry is refused
    failed = finished(lab).turns[-1]
    shown = "".join(DEFAULT_TOKENS[:3])
    assert failed.content == shown and "(400)" in failed.error and not failed.complete
    assert len(openai_server.records) == 2  # the stream and its retry: a 400 is not asked again

    script.fault, script.delay_s = "none", 0.02  # the server is fixed (and slow enough to watch)
    retry = lab.step(settings, action="retry")
    assert retry.started and roles_and_texts(retry.conversation) == [("user", "talk")]
    assert retry.conversation.streaming is not None
    events = stored_events(lab, retry.conversation.streaming)
    assert events[0] == Delta(shown)  # the kept text is back at once, before the model answers
    assert not any(isinstance(e, Replace) for e in events)
    assert "".join(e.text for e in events if isinstance(e, Delta)) == SERVER_TEXT  # nothing twice
    conversation = finished(lab)
    assert roles_and_texts(conversation) == [("user", "talk"), ("assistant", SERVER_TEXT)]
    assert conversation.turns[-1].complete and not conversation.turns[-1].error
    assert openai_server.records[-1].payload["messages"] == [{"role": "user", "content": "talk"}]


def test_the_same_question_after_clear_is_answered_from_the_cache(lab: Lab) -> None:
    lab.step(prompt=PROMPT)
    finished(lab)
    cleared = lab.step(action="clear")
    assert cleared.conversation.turns == [] and not cleared.started
    assert lab.session().load().turns == []
    assert lab.step(prompt=PROMPT).started
    conversation = finished(lab)
    assert roles_and_texts(conversation) == [("user", PROMPT), ("assistant", ANSWER)]
    assert conversation.turns[-1].cached
    assert (lab.stats.lookups, lab.stats.hits) == (2, 1)


def test_a_pending_prompt_without_a_reply_gets_one_on_the_next_step(lab: Lab) -> None:
    lab.store.update_chat(lab.chat_id, lambda c: c.ask(PROMPT))  # a rerun came before the worker
    step = lab.step()
    assert step.started and step.conversation.streaming is not None and not step.refused
    assert roles_and_texts(finished(lab)) == [("user", PROMPT), ("assistant", ANSWER)]
    assert not lab.step().started  # answered: nothing more to start


def test_settings_that_cannot_work_end_in_an_error_turn_and_keep_the_prompt(lab: Lab) -> None:
    broken = ProviderSettings(provider="openai")  # no key, no base URL
    step = lab.step(broken, prompt=PROMPT)
    assert not step.refused and step.conversation.streaming is None
    conversation = lab.session().load()
    assert conversation == step.conversation
    assert [t.role for t in conversation.turns] == ["user", "assistant"]
    assert conversation.turns[0] == Turn("user", PROMPT)
    reply = conversation.turns[-1]
    assert "needs an API key" in reply.error and reply.content == "" and not reply.complete
    assert lab.stats.lookups == 0  # no model, no lookup


def test_clear_is_ignored_while_a_reply_is_being_written(lab: Lab) -> None:
    first = lab.step(SLOW, prompt=PROMPT)
    during = lab.step(SLOW, action="clear")
    assert not during.started and not during.refused
    assert during.conversation.streaming == first.conversation.streaming
    assert roles_and_texts(during.conversation) == [("user", PROMPT)]
    conversation = finished(lab)
    assert roles_and_texts(conversation) == [("user", PROMPT), ("assistant", ANSWER)]
    assert lab.stats.lookups == 1
