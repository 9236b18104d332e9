"""What a visitor may spend with the owner's key: requests a minute and tokens per session and per
day, counted on real requests and refused in words, never retried."""

from __future__ import annotations

import pytest

from components.config import OwnerLimits, provider_settings_from
from components.models.errors import outcome_message
from components.models.providers import build_chat_model
from components.models.spending import MeteredChatModel, SpendLimitReached, SpendMeter
from components.streaming.run import StreamRun
from tests.support.openai_server import DEFAULT_TOKENS, FakeOpenAIServer


class Now:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_requests_per_minute_per_visitor() -> None:
    now = Now()
    meter = SpendMeter(OwnerLimits(requests_per_minute=2), now=now)
    meter.admit("a"), meter.admit("a")
    with pytest.raises(SpendLimitReached, match="at most 2 requests a minute"):
        meter.admit("a")
    meter.admit("b")  # another visitor has their own allowance
    now.t += 60
    meter.admit("a")


def test_tokens_per_session_and_per_day() -> None:
    now = Now()
    meter = SpendMeter(OwnerLimits(session_tokens=100, global_tokens=250, requests_per_minute=99), now=now)
    meter.charge("a", 100)
    with pytest.raises(SpendLimitReached, match="This session has used its 100 tokens"):
        meter.admit("a")
    meter.charge("b", 99), meter.charge("c", 60)
    with pytest.raises(SpendLimitReached, match="daily allowance"):
        meter.admit("d")
    now.t += 24 * 3600
    meter.admit("d")  # a new day


def owner_settings(server: FakeOpenAIServer, **limits: str):
    secrets = {"OPENAI_API_KEY": "owner-key", "OPENAI_BASE_URL": server.base_url,
               "STREAMING_LAB_MODEL": "fake-model", **limits}
    return provider_settings_from(secrets, {}).with_overrides(provider="openai", visitor="v1")


def test_the_owners_key_is_metered_and_a_limit_is_a_message_after_one_try(openai_server) -> None:
    settings = owner_settings(openai_server, STREAMING_LAB_REQUESTS_PER_MINUTE="1",
                              STREAMING_LAB_SESSION_TOKENS="1000000")
    model = build_chat_model(settings)
    assert isinstance(model, MeteredChatModel)
    first = StreamRun(model, "hi").start().wait()
    assert first.ok and first.text == "".join(DEFAULT_TOKENS)
    assert openai_server.records[-1].authorization == "Bearer owner-key"
    second = StreamRun(build_chat_model(settings), "hi").start().wait()
    assert not second.ok and len(openai_server.records) == 1  # refused before any request
    assert "at most 1 request a minute" in outcome_message(second)
    assert len(second.attempts) == 1  # a limit is not retried


def test_tokens_are_charged_from_the_real_answer(openai_server) -> None:
    settings = owner_settings(openai_server, STREAMING_LAB_SESSION_TOKENS="12")
    StreamRun(build_chat_model(settings), "hi").start().wait()
    meter = build_chat_model(settings).meter
    assert meter.spent("v1") >= len(DEFAULT_TOKENS)  # the answer's tokens, plus the prompt's
    refused = StreamRun(build_chat_model(settings), "hi").start().wait()
    assert "tokens of the app's key" in outcome_message(refused)


def test_a_visitors_own_key_is_not_metered(openai_server) -> None:
    settings = owner_settings(openai_server).with_overrides(api_key="visitor-key")
    assert not isinstance(build_chat_model(settings), MeteredChatModel)
