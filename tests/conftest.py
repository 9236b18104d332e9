"""Shared fixtures: a fake clock, the real local OpenAI-compatible server, and the app's root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from components.streaming.clock import FakeClock
from tests.support.openai_server import FakeOpenAIServer
from tests.support.redis_server import redis_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A real HTTP server on a free 127.0.0.1 port that streams chat.completions as SSE."""
    server = FakeOpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server on a free port for the whole test session (flushed by each user)."""
    with redis_server() as url:
        yield url
