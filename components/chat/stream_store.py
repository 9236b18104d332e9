"""Where replies and conversations live while the page comes and goes: one small interface, an
in-process store by default (bounded) and a Redis store for several replicas (redis_store.py).

Ids are secrets: a chat's id is its only key (192 random bits, in the URL). Stores never keep an
id, only its SHA-256, so a dump or the timing of a lookup reveals at most something about a hash,
never the id; where an id is compared with another, it is compared in constant time
(`hmac.compare_digest`). Nothing logs an id, and there is no way to list what a store holds.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from components.chat.conversation import Conversation, Turn
from components.config import DEFAULT_CHAT_TTL, DEFAULT_STORE_MAX_MB, DEFAULT_STREAM_TTL
from components.streaming.events import Delta, Replace, Status

CHAT_ID = re.compile(r"[A-Za-z0-9_-]{32}")
"""What `new_chat_id()` makes: 24 random bytes, URL-safe base64, 192 bits."""



class StoreUnavailable(RuntimeError):
    """The store cannot be reached (Redis down, a network cut): said in words, the text kept."""


def new_chat_id() -> str:
    """An unguessable chat id for the URL: 192 bits from the OS's CSPRNG."""
    return secrets.token_urlsafe(24)


def new_reply_key() -> str:
    """A reply's own part of its stream id (a regenerated reply is a new stream)."""
    return secrets.token_hex(8)


def stream_id(chat_id: str, reply_key: str) -> str:
    """A reply's stream id: secret because the chat id is; the conversation keeps only the key."""
    return f"{chat_id}.{reply_key}"


def well_formed(chat_id: str | None) -> bool:
    """Only ids this app could have made are looked up; anything else starts a new chat."""
    return bool(chat_id) and CHAT_ID.fullmatch(chat_id or "") is not None


def digest(secret_id: str) -> str:
    """The storage key for an id: the id itself is never stored."""
    return hashlib.sha256(secret_id.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Ended:
    """A reply's last stored event: the finished turn, as the conversation now holds it."""

    turn: Turn


StoredEvent = Delta | Replace | Status | Ended
"""What a reply's worker writes: the run's own events (streaming/events.py), then its end."""
_KINDS: dict[str, type[Delta | Replace | Status]] = {"text": Delta, "replace": Replace, "status": Status}
_NAMES = {cls: name for name, cls in _KINDS.items()}


def encode(event: StoredEvent) -> str:
    """One stored event as compact JSON (Redis keeps text)."""
    if isinstance(event, Ended):
        data: dict[str, Any] = {"kind": "end", "turn": asdict(event.turn)}
    else:
        data = {"kind": _NAMES[type(event)], "text": event.text}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode(raw: str) -> StoredEvent:
    data = json.loads(raw)
    if data["kind"] == "end":
        return Ended(Turn(**data["turn"]))
    return _KINDS[data["kind"]](data.get("text", ""))


class StreamStore(Protocol):
    """What the chat needs to outlive its script runs; see InProcessStore and RedisStore."""

    kind: str

    def load_chat(self, chat_id: str) -> Conversation | None: ...

    def update_chat(self, chat_id: str, change: Callable[[Conversation], None]) -> Conversation:
        """Apply `change` to the stored conversation (a new one if none) atomically; returns it."""
        ...

    def open_stream(self, stream_id: str) -> None:
        """Register a reply about to be written (its worker's first heartbeat)."""
        ...

    def append(self, stream_id: str, events: Sequence[StoredEvent]) -> None: ...

    def read(self, stream_id: str, cursor: str, timeout: float) -> tuple[list[StoredEvent], str]:
        """Events after `cursor` ("0": from the start), waiting at most `timeout` for one; once
        the reply has ended, only its "end" event (the finished stream is compacted to it)."""
        ...

    def finish(self, stream_id: str, end: Ended) -> None:
        """The reply ended: keep only `end`, and drop it after the stream TTL."""
        ...

    def request_stop(self, stream_id: str) -> None: ...

    def stop_requested(self, stream_id: str) -> bool: ...

    def beat(self, stream_id: str) -> None:
        """The worker is alive (readers give up on a reply whose worker went away)."""
        ...

    def last_beat(self, stream_id: str) -> float | None:
        """Wall-clock time of the worker's last heartbeat, None if unknown."""
        ...


EVENT_OVERHEAD = 120
"""Approximate bytes one stored event costs beyond its text (object, float, list slot)."""


@dataclass
class _Stream:
    events: list[StoredEvent] = field(default_factory=list)
    end: Ended | None = None
    stop: bool = False
    beat: float = 0.0
    size: int = 0


class InProcessStore:
    """The zero-set-up store: dicts behind one lock, bounded by TTLs and a byte cap."""

    kind = "in-process"

    def __init__(self, *, stream_ttl: float = DEFAULT_STREAM_TTL, chat_ttl: float = DEFAULT_CHAT_TTL,
                 max_bytes: int = DEFAULT_STORE_MAX_MB * 2**20,
                 now: Callable[[], float] = time.time) -> None:
        self.stream_ttl, self.chat_ttl, self.max_bytes, self._now = stream_ttl, chat_ttl, max_bytes, now
        self._changed = threading.Condition()
        self._chats: OrderedDict[str, tuple[str, float, bool]] = OrderedDict()
        """digest -> (conversation JSON, last touched, a reply is being written); oldest first."""
        self._streams: dict[str, _Stream] = {}
        self._finished: OrderedDict[str, float] = OrderedDict()
        """digest -> when it finished; oldest first."""
        self._bytes = 0

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def _find_chat(self, key: str) -> str | None:
        entry = self._chats.get(key)
        if entry is None:
            return None
        self._chats.move_to_end(key)
        self._chats[key] = (entry[0], self._now(), entry[2])
        return entry[0]

    def load_chat(self, chat_id: str) -> Conversation | None:
        key = digest(chat_id)
        with self._changed:
            self._sweep()
            raw = self._find_chat(key)
        return Conversation.from_record(raw) if raw is not None else None

    def update_chat(self, chat_id: str, change: Callable[[Conversation], None]) -> Conversation:
        key = digest(chat_id)
        with self._changed:
            raw = self._find_chat(key)
            conversation = Conversation.from_record(raw) if raw is not None else Conversation()
            change(conversation)
            record = conversation.to_record()
            self._bytes += len(record) - (len(raw) if raw is not None else 0)
            self._chats[key] = (record, self._now(), conversation.streaming is not None)
            self._chats.move_to_end(key)
            self._sweep()
        return conversation

    def _stream(self, stream_id: str) -> _Stream | None:
        # looked up by digest: how long the lookup takes depends on the hash, not on the id
        return self._streams.get(digest(stream_id))

    def open_stream(self, stream_id: str) -> None:
        with self._changed:
            self._streams[digest(stream_id)] = _Stream(beat=self._now())
            self._sweep()

    def append(self, stream_id: str, events: Sequence[StoredEvent]) -> None:
        with self._changed:
            stream = self._stream(stream_id)
            if stream is None or stream.end is not None:
                return
            stream.events.extend(events)
            added = sum(len(getattr(e, "text", "")) + EVENT_OVERHEAD for e in events)
            stream.size += added
            self._bytes += added
            self._changed.notify_all()

    def read(self, stream_id: str, cursor: str, timeout: float) -> tuple[list[StoredEvent], str]:
        start = int(cursor) if cursor.isdigit() else 0
        with self._changed:
            stream = self._stream(stream_id)
            if stream is None:  # wait like a read of a quiet stream: a reader must not spin
                if timeout > 0:
                    self._changed.wait(timeout)
                return [], cursor
            if timeout > 0:
                self._changed.wait_for(lambda: stream.end is not None or len(stream.events) > start,
                                       timeout)
            if stream.end is not None:
                return [stream.end], cursor
            return stream.events[start:], str(len(stream.events))

    def finish(self, stream_id: str, end: Ended) -> None:
        with self._changed:
            stream = self._stream(stream_id)
            if stream is None:
                return
            key = digest(stream_id)
            size = len(end.turn.content) + EVENT_OVERHEAD * 4
            self._bytes += size - stream.size
            stream.events, stream.end, stream.size = [], end, size
            self._finished[key] = self._now()
            self._changed.notify_all()
            self._sweep()

    def request_stop(self, stream_id: str) -> None:
        with self._changed:
            if (stream := self._stream(stream_id)) is not None:
                stream.stop = True

    def stop_requested(self, stream_id: str) -> bool:
        stream = self._stream(stream_id)
        return stream is not None and stream.stop

    def beat(self, stream_id: str) -> None:
        if (stream := self._stream(stream_id)) is not None:
            stream.beat = self._now()

    def last_beat(self, stream_id: str) -> float | None:
        stream = self._stream(stream_id)
        return stream.beat if stream is not None and stream.end is None else None

    def _sweep(self) -> None:
        """Drop finished streams past their TTL and idle chats past theirs, then the oldest of
        each while over the byte cap; a reply still being written is never dropped."""
        now = self._now()
        while self._finished and now - next(iter(self._finished.values())) > self.stream_ttl:
            self._drop_stream(next(iter(self._finished)))
        idle = [key for key, (_, touched, active) in self._chats.items()
                if not active and now - touched > self.chat_ttl]
        for key in idle:
            self._drop_chat(key)
        while self._bytes > self.max_bytes and self._finished:
            self._drop_stream(next(iter(self._finished)))
        if self._bytes > self.max_bytes:
            for key in [k for k, (_, _, active) in self._chats.items() if not active]:
                self._drop_chat(key)
                if self._bytes <= self.max_bytes:
                    break

    def _drop_stream(self, key: str) -> None:
        self._finished.pop(key, None)
        stream = self._streams.pop(key, None)
        if stream is not None:
            self._bytes -= stream.size

    def _drop_chat(self, key: str) -> None:
        raw, _, _ = self._chats.pop(key)
        self._bytes -= len(raw)
