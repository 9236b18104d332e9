"""Shared fixtures: a fake clock, the real local OpenAI-compatible server, and the app's root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from components.clock import FakeClock
from tests.openai_server import FakeOpenAIServer

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
