"""The stream store for several replicas: conversations and replies in Redis, so a reply written
by one app process can be read, resumed and stopped from another (`STREAMING_LAB_REDIS_URL`).

A reply is a Redis stream (XADD by its worker, XREAD BLOCK by readers); its end, stop flag and
heartbeat are plain keys. Keys hold the SHA-256 of an id, never the id.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

import redis

from components.chat.conversation import Conversation
from components.chat.stream_store import Ended, StoredEvent, StoreUnavailable, decode, digest, encode
from components.config import DEFAULT_CHAT_TTL, DEFAULT_STREAM_TTL

PREFIX = "streaming-lab:"
ACTIVE_TTL = 3600
"""Seconds a reply's keys live while it is being written (a dead worker's leftovers go away)."""


P = ParamSpec("P")
R = TypeVar("R")


def _reachable(method: Callable[P, R]) -> Callable[P, R]:
    """Redis's own errors become StoreUnavailable: callers handle one error, in words."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except redis.RedisError as error:
            raise StoreUnavailable("Redis is unreachable") from error

    return call


class RedisStore:
    """StreamStore on a Redis server shared by every replica."""

    kind = "Redis"

    def __init__(self, url: str, *, stream_ttl: float = DEFAULT_STREAM_TTL,
                 chat_ttl: float = DEFAULT_CHAT_TTL, now: Callable[[], float] = time.time) -> None:
        """`now`: wall-clock time for heartbeats, which other replicas read."""
        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5)
        self.stream_ttl, self.chat_ttl, self._now = int(stream_ttl), int(chat_ttl), now

    @staticmethod
    def _chat_key(chat_id: str) -> str:
        return f"{PREFIX}chat:{digest(chat_id)}"

    @staticmethod
    def _keys(stream_id: str) -> tuple[str, str, str, str]:
        """(events, end, stop, heartbeat) keys of one reply."""
        base = f"{PREFIX}reply:{digest(stream_id)}"
        return f"{base}:events", f"{base}:end", f"{base}:stop", f"{base}:beat"

    @_reachable
    def ping(self) -> bool:
        return bool(self.redis.ping())

    @_reachable
    def load_chat(self, chat_id: str) -> Conversation | None:
        key = self._chat_key(chat_id)
        raw, _ = self.redis.pipeline().get(key).expire(key, self.chat_ttl).execute()
        return Conversation.from_record(raw) if raw is not None else None

    @_reachable
    def update_chat(self, chat_id: str, change: Callable[[Conversation], None]) -> Conversation:
        """Optimistic: WATCH the key, apply, write in MULTI; redo if another replica wrote first."""
        key = self._chat_key(chat_id)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    conversation = Conversation.from_record(raw) if raw is not None else Conversation()
                    change(conversation)
                    pipe.multi()
                    pipe.set(key, conversation.to_record(), ex=self.chat_ttl)
                    pipe.execute()
                    return conversation
                except redis.WatchError:
                    continue

    @_reachable
    def open_stream(self, stream_id: str) -> None:
        *_, beat = self._keys(stream_id)
        self.redis.set(beat, repr(self._now()), ex=ACTIVE_TTL)

    @_reachable
    def append(self, stream_id: str, events: Sequence[StoredEvent]) -> None:
        stream, *_ = self._keys(stream_id)
        pipe = self.redis.pipeline(transaction=False)
        for event in events:
            pipe.xadd(stream, {"e": encode(event)})
        pipe.expire(stream, ACTIVE_TTL)
        pipe.execute()

    @_reachable
    def read(self, stream_id: str, cursor: str, timeout: float) -> tuple[list[StoredEvent], str]:
        stream, end, _, _ = self._keys(stream_id)
        if (raw_end := self.redis.get(end)) is not None:
            return [decode(raw_end)], cursor
        block = max(int(timeout * 1000), 1) if timeout > 0 else None
        answer = self.redis.xread({stream: cursor or "0"}, block=block)
        if not answer:
            return [], cursor
        entries = answer[0][1]
        return [decode(fields["e"]) for _, fields in entries], entries[-1][0]

    @_reachable
    def finish(self, stream_id: str, end: Ended) -> None:
        stream, end_key, stop, beat = self._keys(stream_id)
        (self.redis.pipeline().set(end_key, encode(end), ex=self.stream_ttl)
         .delete(stream, stop, beat).execute())

    @_reachable
    def request_stop(self, stream_id: str) -> None:
        _, _, stop, _ = self._keys(stream_id)
        self.redis.set(stop, "1", ex=ACTIVE_TTL)

    @_reachable
    def stop_requested(self, stream_id: str) -> bool:
        _, _, stop, _ = self._keys(stream_id)
        return bool(self.redis.exists(stop))

    @_reachable
    def beat(self, stream_id: str) -> None:
        *_, beat = self._keys(stream_id)
        self.redis.set(beat, repr(self._now()), ex=ACTIVE_TTL)

    @_reachable
    def last_beat(self, stream_id: str) -> float | None:
        *_, beat = self._keys(stream_id)
        raw = self.redis.get(beat)
        return float(raw) if raw is not None else None
