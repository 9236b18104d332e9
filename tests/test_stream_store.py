"""Both stream stores behind one interface: chats, reply streams, stop, heartbeat, expiry, secrecy."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from components.chat.conversation import Conversation, Turn
from components.chat.redis_store import PREFIX, RedisStore
from components.chat.stream_store import (
    Ended,
    InProcessStore,
    StoredEvent,
    decode,
    digest,
    encode,
    new_chat_id,
    new_reply_key,
    stream_id,
    well_formed,
)
from components.streaming.events import Delta, Replace, Status


@pytest.fixture(params=["in-process", "redis"])
def store(request: pytest.FixtureRequest):
    if request.param == "in-process":
        return InProcessStore()
    url = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushdb()
    return RedisStore(url, stream_ttl=60, chat_ttl=600)


def text(events: list[StoredEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, Delta))


def test_ids_are_long_random_and_checked_before_any_lookup() -> None:
    ids = {new_chat_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(well_formed(i) and len(i) == 32 for i in ids)
    for bad in ("", None, "abc", "x" * 31, "x" * 33, "../../etc/passwd", "a" * 31 + "!"):
        assert not well_formed(bad)


def test_a_chat_round_trips_and_an_unknown_id_reveals_nothing(store) -> None:
    chat = new_chat_id()
    assert store.load_chat(chat) is None
    saved = store.update_chat(chat, lambda c: c.ask("hello"))
    assert store.load_chat(chat) == saved == Conversation([Turn("user", "hello")])
    assert store.load_chat(new_chat_id()) is None


def test_concurrent_updates_lose_nothing(store) -> None:
    chat = new_chat_id()
    threads = [threading.Thread(target=store.update_chat, args=(chat, lambda c, i=i: c.ask(f"m{i}")))
               for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(t.content for t in store.load_chat(chat).turns) == sorted(f"m{i}" for i in range(20))


def test_a_reply_is_read_from_any_cursor_and_compacted_to_its_end(store) -> None:
    sid = stream_id(new_chat_id(), new_reply_key())
    store.open_stream(sid)
    store.append(sid, [Delta("Hello"), Delta(", wor")])
    first, cursor = store.read(sid, "0", 0)
    assert text(first) == "Hello, wor" and first == [Delta("Hello"), Delta(", wor")]
    store.append(sid, [Status("retrying"), Delta("ld")])
    rest, cursor = store.read(sid, cursor, 0)
    assert rest == [Status("retrying"), Delta("ld")]
    assert store.read(sid, cursor, 0)[0] == []

    turn = Turn("assistant", "Hello, world", label="simulated/simulated-1", tokens=3)
    store.finish(sid, Ended(turn))
    for start in ("0", cursor):  # late and early readers both get the end, whole
        events, _ = store.read(sid, start, 0)
        assert events == [Ended(turn)]
    assert store.last_beat(sid) is None


def test_a_waiting_reader_wakes_when_text_arrives(store) -> None:
    sid = stream_id(new_chat_id(), new_reply_key())
    store.open_stream(sid)
    timer = threading.Timer(0.2, store.append, args=(sid, [Delta("late")]))
    timer.start()
    began = time.monotonic()
    events, _ = store.read(sid, "0", 5.0)
    assert text(events) == "late" and time.monotonic() - began < 4.0
    timer.join()


def test_stop_and_heartbeat(store) -> None:
    sid = stream_id(new_chat_id(), new_reply_key())
    store.open_stream(sid)
    assert not store.stop_requested(sid) and abs(store.last_beat(sid) - time.time()) < 5
    store.request_stop(sid)
    assert store.stop_requested(sid)
    assert not store.stop_requested(stream_id(new_chat_id(), new_reply_key()))


def test_ids_are_never_stored_only_their_digests(redis_url) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    stores = [InProcessStore(), RedisStore(redis_url)]
    chat, key = new_chat_id(), new_reply_key()
    sid = stream_id(chat, key)
    for store in stores:
        store.update_chat(chat, lambda c: (c.ask("hi"), c.claim(key)))
        store.open_stream(sid)
        store.append(sid, [Delta("some text")])
    memory = repr(vars(stores[0]))
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    keys = client.keys(f"{PREFIX}*")
    values = [client.get(k) for k in keys if client.type(k) == "string"]
    assert keys and digest(chat) in " ".join(keys) and digest(chat) in memory
    for dump in (memory, " ".join(keys), " ".join(values)):
        assert chat not in dump


def test_redis_keys_expire(redis_url) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    store = RedisStore(redis_url, stream_ttl=30, chat_ttl=900)
    client = store.redis
    chat = new_chat_id()
    sid = stream_id(chat, new_reply_key())
    store.update_chat(chat, lambda c: c.ask("hi"))
    store.open_stream(sid)
    store.append(sid, [Delta("x")])
    assert all(client.ttl(k) > 0 for k in client.keys(f"{PREFIX}*"))
    store.finish(sid, Ended(Turn("assistant", "x")))
    ends = [k for k in client.keys(f"{PREFIX}reply:*")]
    assert len(ends) == 1 and ends[0].endswith(":end") and 0 < client.ttl(ends[0]) <= 30


class Wall:
    """An injected wall clock for expiry."""

    def __init__(self) -> None:
        self.t = 1_000.0

    def __call__(self) -> float:
        return self.t


def finished_stream(store: InProcessStore, size: int) -> str:
    sid = stream_id(new_chat_id(), new_reply_key())
    store.open_stream(sid)
    store.append(sid, [Delta("x" * size)])
    store.finish(sid, Ended(Turn("assistant", "x" * size)))
    return sid


def test_in_process_store_expires_finished_streams_and_idle_chats() -> None:
    wall = Wall()
    store = InProcessStore(stream_ttl=60, chat_ttl=3600, now=wall)
    sid = finished_stream(store, 100)
    idle, busy = new_chat_id(), new_chat_id()
    store.update_chat(idle, lambda c: c.ask("old"))
    store.update_chat(busy, lambda c: (c.ask("long answer"), c.claim("k")))
    wall.t += 61
    assert store.read(sid, "0", 0)[0]  # expiry happens on the next write
    store.update_chat(new_chat_id(), lambda c: c.ask("new"))
    assert store.read(sid, "0", 0) == ([], "0")
    wall.t += 3600
    store.load_chat(new_chat_id())
    assert store.load_chat(idle) is None
    assert store.load_chat(busy) is not None  # a reply is being written: kept


def test_in_process_store_stays_under_its_memory_cap() -> None:
    store = InProcessStore(max_bytes=50_000)
    sids = [finished_stream(store, 2_000) for _ in range(100)]
    assert store.bytes_used <= 50_000
    assert store.read(sids[-1], "0", 0)[0] and not store.read(sids[0], "0", 0)[0]  # oldest went


@pytest.mark.parametrize("event", [Delta("a «b»\n"), Replace("whole"), Status("retrying"),
                                   Ended(Turn("assistant", "done", label="x/y", stopped=True))])
def test_stored_events_round_trip_through_json(event: StoredEvent) -> None:
    assert decode(encode(event)) == event
