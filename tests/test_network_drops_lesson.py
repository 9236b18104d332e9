"""The Network drops lesson's numbers: a Retry continues the run it retries; injected faults say so."""

from __future__ import annotations

from components.lessons.network_drops import continued, status_line
from components.models.errors import explain_error
from components.models.faults import Fault, connection_error, status_error
from components.streaming.result import Attempt, StreamResult


def test_a_retry_continues_the_run_it_retries() -> None:
    before = StreamResult(text="Partial", token_times=[0.4, 0.5], first_visible=0.44,
                          total_time=1.0, error=connection_error(),
                          attempts=[Attempt(1, "stream", 2, 1.0, "connection dropped")])
    retry = StreamResult(text="Partial text.", token_times=[0.3, 0.4, 0.5], first_visible=1.45,
                         total_time=0.6, finish_reason="stop", useful_tokens=3,
                         attempts=[Attempt(1, "stream", 3, 0.6, "complete")])
    both = continued(before, retry)
    assert both.ok and both.text == "Partial text."
    assert both.first_visible == 0.44 and both.total_time == 1.6
    assert [a.number for a in both.attempts] == [1, 2] and both.extra_requests == 1
    assert both.tokens_wasted == 2  # the two tokens of the first run were generated again
    assert both.token_times == [0.4, 0.5, 1.3, 1.4, 1.5]
    label, state = status_line(both, running=False)
    assert state == "complete" and "after your Retry" in label and "connection dropped" in label


def test_injected_errors_name_the_fault_and_real_ones_the_address() -> None:
    message = explain_error(connection_error(Fault("drop", after=40)))
    assert "injected on purpose (connection drops after 40 tokens, once)" in message
    assert explain_error(status_error(429, Fault("status_429"))).startswith("Rate limited (429)")
    assert "Could not reach http://x/v1" in explain_error(connection_error(), base_url="http://x/v1")
