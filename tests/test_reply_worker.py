"""A reply written by a background worker and read back from the store: finish, stop, failure,
recovery in the worker, catch-up from any point, a worker that went away."""

from __future__ import annotations

import itertools
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from components.chat.conversation import Turn
from components.chat.reply_worker import INTERRUPTED, ORPHAN_AFTER, ReplyWorker, StoredReply
from components.chat.stream_store import (
    Ended,
    InProcessStore,
    new_chat_id,
    new_reply_key,
    stream_id,
)
from components.config import ProviderSettings
from components.models.answers import pick_answer
from components.models.faults import Fault, FaultyChatModel
from components.models.providers import build_chat_model
from components.models.simulated_model import SimulatedChatModel
from components.streaming.clock import FakeClock
from components.streaming.events import Delta, ScreenChange
from tests.support.openai_server import FakeOpenAIServer

PROMPT = "Why should a chat app stream its answers?"
ANSWER = pick_answer(PROMPT).text


def model(tokens_per_second: float = 2_000, **extra: object) -> SimulatedChatModel:
    return SimulatedChatModel(ttft_s=0.0, tokens_per_second=tokens_per_second, jitter=0.0, **extra)


def ask(store: InProcessStore, prompt: str = PROMPT) -> str:
    chat = new_chat_id()
    store.update_chat(chat, lambda c: c.ask(prompt))
    return chat


def worker(store: InProcessStore, chat: str, source, **extra) -> ReplyWorker:
    job = ReplyWorker(store, chat, new_reply_key(), source, store.load_chat(chat).messages(),
                      label="simulated/simulated-1", **extra)
    assert job.start().streaming == job.reply_key  # the stored conversation waits for it
    return job


def read_all(reader: StoredReply, timeout: float = 10.0) -> list:
    pieces, deadline = [], time.monotonic() + timeout
    while not reader.done and time.monotonic() < deadline:
        pieces += reader.poll_updates(timeout=0.05)
    return pieces


def test_a_finished_reply_is_in_the_conversation_once_and_the_cache_heard_of_it() -> None:
    store, finished = InProcessStore(), []
    chat = ask(store)
    job = worker(store, chat, model(), after=finished.append)
    assert store.load_chat(chat).streaming == job.reply_key  # the page knows to follow it
    turn = job.join(10)
    conversation = store.load_chat(chat)
    assert turn.content == ANSWER and not turn.stopped and not turn.error and turn.tokens > 50
    assert conversation.turns[-1] == turn and len(conversation.turns) == 2
    assert conversation.streaming is None
    assert [r.text for r in finished] == [ANSWER]
    events, _ = store.read(job.stream_id, "0", 0)
    assert events == [Ended(turn)]


def test_a_reader_attached_mid_reply_catches_up_at_once_then_follows_live() -> None:
    store = InProcessStore()
    chat = ask(store)
    job = worker(store, chat, model(tokens_per_second=150))
    time.sleep(0.4)
    reader = StoredReply(store, chat, job.reply_key)
    caught_up = reader.catch_up()
    assert 0 < caught_up < len(ANSWER) and ANSWER.startswith(reader.on_screen)
    rest = read_all(reader)
    assert reader.on_screen + "".join(c.text for c in rest) == ANSWER  # nothing lost, nothing twice
    assert reader.turn == job.join(5)


def test_stop_is_a_flag_the_worker_obeys_and_the_partial_reply_is_kept() -> None:
    store = InProcessStore()
    chat = ask(store)
    job = worker(store, chat, model(tokens_per_second=100))
    time.sleep(0.5)
    store.request_stop(job.stream_id)
    turn = job.join(5)
    assert turn.stopped and not turn.error and 0 < len(turn.content) < len(ANSWER)
    assert ANSWER.startswith(turn.content)
    assert store.load_chat(chat).turns[-1] == turn


def test_stop_closes_the_providers_stream_for_real(openai_server: FakeOpenAIServer) -> None:
    openai_server.script.tokens = [f" w{i}" for i in range(300)]
    openai_server.script.delay_s = 0.02
    store = InProcessStore()
    chat = ask(store, "talk")
    source = build_chat_model(ProviderSettings(provider="openai", base_url=openai_server.base_url,
                                               model="fake-model"), streaming=True)
    job = worker(store, chat, source)
    time.sleep(0.6)
    store.request_stop(job.stream_id)
    turn = job.join(5)
    record = openai_server.records[-1]
    deadline = time.monotonic() + 5
    while not record.client_closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert turn.stopped and record.client_closed and not record.finished
    assert record.chunks_sent < 300


def test_an_unreachable_server_is_an_error_turn_with_a_human_message() -> None:
    store = InProcessStore()
    chat = ask(store, "hi")
    source = build_chat_model(ProviderSettings(provider="openai", base_url="http://127.0.0.1:9/v1",
                                               model="m", api_key="k"), streaming=True)
    turn = worker(store, chat, source, base_url="http://127.0.0.1:9/v1").join(60)
    assert "Could not reach http://127.0.0.1:9/v1" in turn.error and not turn.complete
    assert store.load_chat(chat).turns[-1].error == turn.error


def test_recovery_runs_in_the_worker_a_dropped_stream_still_completes() -> None:
    store = InProcessStore()
    chat = ask(store)
    faulty = FaultyChatModel(inner=model(), fault=Fault("drop", after=20))
    turn = worker(store, chat, faulty).join(30)
    assert turn.content == ANSWER and turn.recovered and not turn.error


def test_a_worker_that_breaks_still_ends_the_reply_for_its_readers() -> None:
    store = InProcessStore()
    chat = ask(store)

    def broken(result) -> None:
        raise RuntimeError("the cache's disk is full")

    job = worker(store, chat, model(), after=broken)
    turn = job.join(10)
    reader = StoredReply(store, chat, job.reply_key)
    read_all(reader, 2)
    assert reader.turn == turn and "RuntimeError" in turn.error and turn.content == ANSWER


def test_a_reply_whose_worker_went_away_is_kept_and_marked_once() -> None:
    store, clock = InProcessStore(), FakeClock()
    chat = ask(store)
    key = new_reply_key()
    store.update_chat(chat, lambda c: c.claim(key))
    store.open_stream(stream_id(chat, key))
    store.append(stream_id(chat, key), [Delta("Half an ans")])
    wall = [time.time()]
    reader = StoredReply(store, chat, key, clock=clock, now=lambda: wall[0])
    assert reader.poll_updates() == [Delta("Half an ans")] and not reader.done
    clock.sleep(ORPHAN_AFTER)
    assert reader.poll_updates() == [] and not reader.done  # its worker beat recently
    wall[0] += ORPHAN_AFTER + 1
    assert reader.poll_updates() == [] and reader.done
    assert reader.turn.content == "Half an ans" and reader.turn.error == INTERRUPTED
    again = StoredReply(store, chat, key, clock=clock, now=lambda: wall[0])
    clock.sleep(ORPHAN_AFTER)
    again.catch_up(), again.poll_updates()
    turns = store.load_chat(chat).turns
    assert [t.role for t in turns] == ["user", "assistant"] and turns[1].content == "Half an ans"


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(0, len(ANSWER)), max_size=8), attach=st.integers(0, 8),
       compacted=st.booleans(), diverged=st.booleans())
def test_any_reader_ends_with_the_final_text_shown_exactly_once(cuts, attach, compacted,
                                                                diverged) -> None:
    """Whatever the chunking, wherever a reader attaches, and whether the stream was compacted
    to its end before it read everything: the text on screen ends as the final text."""
    store = InProcessStore()
    chat, key = new_chat_id(), new_reply_key()
    sid = stream_id(chat, key)
    store.open_stream(sid)
    bounds = [0, *sorted(cuts), len(ANSWER)]
    chunks = [ANSWER[a:b] for a, b in itertools.pairwise(bounds)]
    final = ANSWER.upper() if diverged else ANSWER  # e.g. a full response replaced the text
    reader = StoredReply(store, chat, key)
    shown = ""
    for i, chunk in enumerate(chunks):
        store.append(sid, [Delta(chunk)])
        if i == attach:
            reader.catch_up()
            shown = reader.on_screen
        elif i > attach and not compacted:
            shown = apply(shown, reader.poll_updates())
    store.finish(sid, Ended(Turn("assistant", final)))
    if attach >= len(chunks):
        reader.catch_up()
        shown = reader.on_screen
    shown = apply(shown, read_all(reader, 2))
    assert shown == final and reader.done


def apply(shown: str, changes: list[ScreenChange]) -> str:
    for change in changes:
        shown = shown + change.text if isinstance(change, Delta) else change.text
    return shown


def test_many_replies_at_once_each_end_in_their_own_chat() -> None:
    store = InProcessStore()
    jobs = []
    for prompt in ("Why should a chat app stream its answers?", "How do I keep the chat history?",
                   "Tell me about callback handlers"):
        chat = ask(store, prompt)
        jobs.append((chat, prompt, worker(store, chat, model(tokens_per_second=500))))
    for chat, prompt, job in jobs:
        assert job.join(10).content == pick_answer(prompt).text
        assert store.load_chat(chat).turns[0].content == prompt


def test_a_finished_replys_stream_expires_and_the_conversation_keeps_it() -> None:
    wall = [1_000.0]
    store = InProcessStore(stream_ttl=60, now=lambda: wall[0])
    chat = ask(store)
    job = worker(store, chat, model())
    turn = job.join(10)
    assert store.read(job.stream_id, "0", 0)[0][0].turn == turn
    wall[0] += 61
    store.update_chat(new_chat_id(), lambda c: c.ask("someone else"))  # any write sweeps
    assert store.read(job.stream_id, "0", 0) == ([], "0")
    assert store.load_chat(chat).turns[-1] == turn
