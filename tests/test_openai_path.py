"""ChatOpenAI against a real local OpenAI-compatible SSE server, through the shared streaming path."""

from __future__ import annotations

import pytest

from components.callbacks import EventLogHandler
from components.config import ProviderSettings
from components.models.errors import outcome_message
from components.models.providers import build_chat_model
from components.streaming.events import Delta
from components.streaming.recovery import DEFAULT_RECOVERY, RECOVERIES
from components.streaming.run import StreamRun
from tests.support.openai_server import DEFAULT_TOKENS, FakeOpenAIServer


def settings_for(server: FakeOpenAIServer, **extra: str) -> ProviderSettings:
    return ProviderSettings(provider="openai", base_url=server.base_url, model="fake-model",
                            **extra)


@pytest.mark.parametrize("mode", ["stream", "invoke"])
def test_tokens_stream_in_order_through_the_shared_module(openai_server: FakeOpenAIServer,
                                                          mode: str) -> None:
    openai_server.script.delay_s = 0.01
    log = EventLogHandler()
    run = StreamRun(build_chat_model(settings_for(openai_server)), "hi", mode=mode,
                    handlers=[log]).start()
    pieces = list(run)
    result = run.result
    assert "".join(pieces) == "".join(DEFAULT_TOKENS) == result.text
    assert [e.detail for e in log.events if e.event == "on_llm_new_token" and e.detail != "''"] \
        == [repr(t) for t in DEFAULT_TOKENS]
    assert result.finish_reason == "stop" and result.usage["output_tokens"] == len(DEFAULT_TOKENS)
    assert len(result.token_times) == len(DEFAULT_TOKENS)
    request = openai_server.records[-1].payload
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}


def test_blocking_model_uses_the_non_streaming_api(openai_server: FakeOpenAIServer) -> None:
    model = build_chat_model(settings_for(openai_server), streaming=False)
    result = StreamRun(model, "hi", mode="invoke").start().wait()
    assert result.text == "".join(DEFAULT_TOKENS) and result.ok
    assert not openai_server.records[-1].payload.get("stream")


def test_wrong_key_is_a_clear_message(openai_server: FakeOpenAIServer) -> None:
    openai_server.script.api_key = "the-right-key"
    model = build_chat_model(settings_for(openai_server, api_key="a-wrong-key"))
    result = StreamRun(model, "hi").start().wait()
    assert "key was rejected" in outcome_message(result)
    assert "a-wrong-key" not in outcome_message(result)


def test_unreachable_base_url_is_a_clear_message() -> None:
    settings = ProviderSettings(provider="openai", base_url="http://127.0.0.1:9/v1")
    result = StreamRun(build_chat_model(settings), "hi").start().wait()
    assert "Could not reach http://127.0.0.1:9/v1" in outcome_message(result,
                                                                       base_url=settings.base_url)


@pytest.mark.parametrize(("suffix", "model"), [("", "no-such-model"), ("/nope", "fake-model")])
def test_wrong_model_or_path_is_a_clear_message(openai_server: FakeOpenAIServer, suffix: str,
                                                model: str) -> None:
    settings = ProviderSettings(provider="openai", base_url=openai_server.base_url + suffix,
                                model=model)
    result = StreamRun(build_chat_model(settings), "hi").start().wait()
    assert "not found (404)" in outcome_message(result)


def test_a_cut_connection_keeps_the_partial_text(openai_server: FakeOpenAIServer) -> None:
    openai_server.script.fault, openai_server.script.after = "cut", 4
    result = StreamRun(build_chat_model(settings_for(openai_server)), "hi",
                       recovery=RECOVERIES["keep_partial"]).start().wait()
    assert result.text == "".join(DEFAULT_TOKENS[:4])
    assert "connection failed or was cut" in outcome_message(result)


# --- real faults, the app's default recovery (retry the stream once, then the full response) ---
FULL = "".join(DEFAULT_TOKENS)


@pytest.mark.parametrize("fault", ["cut", "reset", "stall", "early_end"])
@pytest.mark.parametrize("transient", [True, False], ids=["once", "every stream"])
def test_the_default_recovery_completes_the_answer(openai_server: FakeOpenAIServer, fault: str,
                                                   transient: bool) -> None:
    script = openai_server.script
    script.fault, script.after, script.stall_s = fault, 3, 3.0
    script.faulty_requests = 1 if transient else 1_000_000
    recovery = DEFAULT_RECOVERY.with_timeouts(0.5)
    run = StreamRun(build_chat_model(settings_for(openai_server)), "hi", recovery=recovery).start()
    updates = []
    while not run.done:
        updates += run.poll_updates(timeout=0.05)
    result = run.result
    assert result.ok and result.text == FULL
    assert "".join(u.text for u in updates if isinstance(u, Delta)) == FULL  # nothing shown twice
    kinds = [a.kind for a in result.attempts]
    assert kinds == (["stream", "retry"] if transient else ["stream", "retry", "full response"])
    assert result.attempts[0].tokens == 3 and result.attempts[0].outcome != "complete"
    assert bool(openai_server.records[-1].payload.get("stream")) is transient


def test_a_rate_limit_then_success_recovers_by_retrying(openai_server: FakeOpenAIServer) -> None:
    script = openai_server.script
    # the OpenAI client does not retry by itself (max_retries=0): recovery decides, so each
    # request the server sees is one the attempt log shows
    script.fault, script.status, script.faulty_requests = "status", 429, 1
    result = StreamRun(build_chat_model(settings_for(openai_server)), "hi").start().wait()
    assert result.ok and result.text == FULL
    assert len(openai_server.records) == 2
    assert [(a.kind, a.outcome) for a in result.attempts] == [("stream", "HTTP 429"),
                                                             ("retry", "complete")]


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_a_refusal_is_asked_once_and_explained(openai_server: FakeOpenAIServer, status: int) -> None:
    """Asking again cannot change a refused key or a missing model: one request, one message."""
    script = openai_server.script
    script.fault, script.status = "status", status
    result = StreamRun(build_chat_model(settings_for(openai_server)), "hi").start().wait()
    assert not result.ok and len(openai_server.records) == 1
    assert f"({status})" in outcome_message(result)


def test_a_persistent_server_error_ends_in_a_clear_message(openai_server: FakeOpenAIServer) -> None:
    script = openai_server.script
    script.fault, script.status = "status", 500
    result = StreamRun(build_chat_model(settings_for(openai_server)), "hi").start().wait()
    assert not result.ok and result.text == ""
    assert "answered with an error (500)" in outcome_message(result)
    assert [a.outcome for a in result.attempts] == ["HTTP 500"] * 3


def test_resume_removes_what_a_real_model_repeats_at_the_seam(openai_server: FakeOpenAIServer) -> None:
    script = openai_server.script
    script.fault, script.after, script.faulty_requests, script.resume_repeat = "cut", 5, 1, 12
    run = StreamRun(build_chat_model(settings_for(openai_server)), "hi",
                    recovery=RECOVERIES["resume"]).start()
    result = run.wait()
    assert result.ok and result.text == FULL
    assert [a.kind for a in result.attempts] == ["stream", "resume"]
    continued = openai_server.records[-1].payload["messages"]
    assert continued[-2] == {"role": "assistant", "content": "".join(DEFAULT_TOKENS[:5])}


def test_a_server_that_never_answers_is_said_at_once_and_given_up_on_time(
        openai_server: FakeOpenAIServer) -> None:
    """No headers at all: a status line within about a second, the error at the first-token limit
    (not the client's minutes), and no request keeps going in the background afterwards."""
    import time

    script = openai_server.script
    script.fault, script.stall_s = "hang", 6.0
    settings = settings_for(openai_server, first_token_timeout_s=1.5, stall_timeout_s=1.5)
    started = time.monotonic()
    run = StreamRun(build_chat_model(settings), "hi",
                    recovery=RECOVERIES["default"].with_timeouts(1.5, 1.5)).start()
    first_status = None
    while not run.done:
        run.poll_updates(timeout=0.05)
        if first_status is None and run.result.status.startswith("Waiting for the first token"):
            first_status = time.monotonic() - started
    elapsed = time.monotonic() - started
    assert first_status is not None and first_status < 1.6
    assert not run.result.ok and "did not answer in time" in outcome_message(run.result)
    assert elapsed < 10  # three attempts at ~1.5-2.5 s each, not 3 × 60 s
    requests = len(openai_server.records)
    assert requests == 3  # the stream, one retry, the full response: no client-side retries
    time.sleep(3.0)
    assert len(openai_server.records) == requests  # nothing asked again in the background
