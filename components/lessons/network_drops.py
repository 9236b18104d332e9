"""What the Network drops page shows: chaos runs of seeded prompts with random transient faults
through each recovery strategy (simulated model, fake time, so hundreds of answers take seconds),
and the status line, attempt log and charts of a run."""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, replace
from typing import Any, Literal

import altair as alt
import pandas as pd
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage, HumanMessage

from components.models.errors import outcome_message
from components.models.faults import FAULT_LABELS, Fault, FaultKind, FaultyChatModel
from components.models.prompts import DROPS_PROMPT
from components.models.simulated_model import SimulatedChatModel, tokenize
from components.streaming.clock import FakeClock
from components.streaming.recovery import DEFAULT_RECOVERY, RECOVERIES, Recovery
from components.streaming.result import Attempt, StreamResult
from components.streaming.run import StreamRun
from components.url_params import Choice, Flag, Number, Setting, Text

_FAULT = Fault()
URL_SETTINGS: tuple[Setting, ...] = (
    Choice("fault", tuple(FAULT_LABELS), "drop"),
    Number("after", 1, 200, _FAULT.after, 1),
    Number("p", 0.005, 0.1, _FAULT.probability, 0.005),
    Number("stall", 1.0, 60.0, _FAULT.stall_s, 0.5),
    Number("delay", 0.5, 10.0, _FAULT.first_token_delay_s, 0.5),
    Flag("transient", True),
    Choice("recovery", tuple(RECOVERIES), DEFAULT_RECOVERY.key),
    Number("watchdog", 1.0, 30.0, 3.0, 0.5),
    Text("prompt", DROPS_PROMPT),
    Number("seed", 0, 10_000, 0, 1),
)
"""What the page's URL may set: `?fault=drop&after=40&recovery=retry` opens that scenario (the sliders
start from Fault()'s own defaults)."""

TOPICS = ("Why stream answers", "How do callback handlers work", "Why throttle screen updates",
          "What happens when the network drops", "How should a chat assistant keep history",
          "Explain something else")
FAULT_KINDS: tuple[FaultKind, ...] = tuple(k for k in FAULT_LABELS if k != "none")
STALL_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class ChaosCase:
    prompt: str
    fault: Fault
    seed: int


class InputTokens(BaseCallbackHandler):
    """Counts the input tokens of every request a run makes: a resume sends the partial answer back."""

    run_inline = True

    def __init__(self) -> None:
        self.per_request: list[int] = []

    def on_chat_model_start(self, serialized: Any, messages: list[list[BaseMessage]], **kwargs: Any) -> None:
        self.per_request.append(sum(len(tokenize(m.text)) for batch in messages for m in batch))


@dataclass(frozen=True)
class ChaosOutcome:
    strategy: str
    case: ChaosCase
    result: StreamResult
    clean_seconds: float
    """How long the same answer takes with no fault."""
    input_tokens: tuple[int, ...] = ()
    """Input tokens of each request, the first one included."""

    @property
    def resent_input_tokens(self) -> int:
        """Input tokens sent again after the first request: the question, and for a resume the partial
        answer too."""
        return sum(self.input_tokens[1:])

    @property
    def complete(self) -> bool:
        return self.result.ok

    @property
    def extra_seconds(self) -> float | None:
        if not self.complete or self.result.total_time is None:
            return None
        return self.result.total_time - self.clean_seconds


def chaos_cases(count: int, seed: int = 0, *, max_failing_requests: int = 2) -> list[ChaosCase]:
    """Seeded prompts, each with a random transient fault (it heals after 1 or 2 requests)."""
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        kind = rng.choice(FAULT_KINDS)
        fault = Fault(kind, after=rng.randint(1, 150), probability=rng.uniform(0.01, 0.05),
                      stall_s=30.0, first_token_delay_s=rng.uniform(1.0, 4.0),
                      failing_requests=rng.randint(1, max_failing_requests), seed=rng.randrange(10**6))
        cases.append(ChaosCase(f"{rng.choice(TOPICS)}? (question {i + 1})", fault, rng.randrange(10**6)))
    return cases


def run_case(case: ChaosCase, recovery: Recovery, *, tokens_per_second: float = 50.0) -> ChaosOutcome:
    """One answer through one strategy on a fake clock."""
    clock = FakeClock()
    inner = SimulatedChatModel(seed=case.seed, tokens_per_second=tokens_per_second, clock=clock)
    model = FaultyChatModel(inner=inner, fault=case.fault, clock=clock)
    sent = InputTokens()
    run = StreamRun(model, case.prompt, clock=clock, handlers=[sent],
                    recovery=recovery.with_timeouts(STALL_TIMEOUT_S, 2 * STALL_TIMEOUT_S))
    result = run.start().wait()
    clean = inner.plan([HumanMessage(case.prompt)]).duration
    return ChaosOutcome(recovery.key, case, result, clean, tuple(sent.per_request))


def run_chaos(cases: list[ChaosCase], strategies: list[str] | None = None) -> list[ChaosOutcome]:
    return [run_case(case, RECOVERIES[key]) for key in strategies or list(RECOVERIES) for case in cases]


@dataclass(frozen=True)
class ChaosSummary:
    strategy: str
    label: str
    short: str
    answers: int
    complete: int
    median_extra_s: float | None
    tokens_wasted: int
    extra_requests: int
    resent_input_tokens: int = 0

    @property
    def completion(self) -> float:
        return self.complete / self.answers if self.answers else 0.0


def summarize(outcomes: list[ChaosOutcome]) -> list[ChaosSummary]:
    """Per strategy: how many answers ended complete, at what extra latency and waste."""
    summaries = []
    for key in dict.fromkeys(o.strategy for o in outcomes):
        mine = [o for o in outcomes if o.strategy == key]
        extras = [e for o in mine if (e := o.extra_seconds) is not None]
        summaries.append(ChaosSummary(
            key, RECOVERIES[key].label, RECOVERIES[key].short, len(mine), sum(o.complete for o in mine),
            statistics.median(extras) if extras else None,
            sum(o.result.tokens_wasted for o in mine),
            sum(o.result.extra_requests for o in mine),
            sum(o.resent_input_tokens for o in mine)))
    return summaries


def why_the_default(summaries: list[ChaosSummary]) -> str:
    """Why the default is the default, from this chaos run's numbers, when another strategy looks better."""
    default = next(s for s in summaries if s.strategy == "default")
    rivals = [s for s in summaries if s.strategy != "default" and s.complete >= default.complete
              and s.median_extra_s is not None and default.median_extra_s is not None
              and s.median_extra_s < default.median_extra_s]
    if not rivals:
        return (f"No strategy completed more answers sooner than the default here "
                f"({default.complete}/{default.answers}, median {default.median_extra_s or 0:.2f} s extra).")
    best = min(rivals, key=lambda s: s.median_extra_s or 0.0)
    text = (f"**{best.short}** completed {best.complete}/{best.answers} with less extra latency than the "
            f"default ({best.median_extra_s:.2f} s vs {default.median_extra_s:.2f} s) and "
            f"{best.tokens_wasted:,} tokens wasted vs {default.tokens_wasted:,}; it sent "
            f"{best.resent_input_tokens:,} input tokens again (the default {default.resent_input_tokens:,}).")
    if best.strategy == "resume":
        text += (" Its numbers are this good because this simulated model continues a cut-off answer "
                 "exactly where it stopped. A real model may repeat or rephrase at the seam, or ignore the "
                 "instruction, and a broken seam shows in the answer. The default only asks the same "
                 "question again, which any model answers alike: the safer default, with Resume one "
                 "choice away.")
    return text


RETRIED = " (your Retry)"
"""Marks the requests a Retry click made, in the attempt log of the run it continued."""


def continued(before: StreamResult, retry: StreamResult) -> StreamResult:
    """One result for a run and the Retry that went on from its partial text, as the user saw them:
    text on screen since the first run's first text, every request in order, and the time of both runs
    (without the pause before the click)."""
    offset = before.total_time or 0.0
    attempts = [*before.attempts, *(replace(a, number=len(before.attempts) + a.number, kind=a.kind + RETRIED)
                                    for a in retry.attempts)]
    first = before.first_visible if before.text else (
        None if retry.first_visible is None else offset + retry.first_visible)
    return replace(retry, attempts=attempts, first_visible=first,
                   total_time=None if retry.total_time is None else offset + retry.total_time,
                   token_times=[*before.token_times, *(offset + t for t in retry.token_times)],
                   useful_tokens=retry.token_count if retry.useful_tokens is None else retry.useful_tokens,
                   replaced=before.replaced or retry.replaced)


State = Literal["running", "complete", "error"]


def status_line(result: StreamResult, *, running: bool) -> tuple[str, State]:
    """The `st.status` label and state for a run, live and after it ended."""
    if running:
        return (result.status or "Streaming…"), "running"
    if result.ok:
        if result.recovered:
            by_retry = ", the last after your Retry" if result.attempts[-1].kind.endswith(RETRIED) else ""
            return (f"Complete answer after {len(result.attempts)} requests{by_retry}: recovered from "
                    f"{result.attempts[0].outcome}."), "complete"
        return "Complete answer, no fault hit the stream.", "complete"
    if result.cancelled:
        return "Stopped. The text so far is kept.", "error"
    return (outcome_message(result) or "The answer is incomplete."), "error"


def attempts_frame(attempts: list[Attempt]) -> pd.DataFrame:
    return pd.DataFrame([{"attempt": a.number, "request": a.kind, "outcome": a.outcome,
                          "tokens received": a.tokens, "seconds": round(a.seconds, 2)}
                         for a in attempts],
                        columns=["attempt", "request", "outcome", "tokens received", "seconds"])


def chaos_frame(summaries: list[ChaosSummary]) -> pd.DataFrame:
    return pd.DataFrame([{
        "strategy": s.short, "complete answers": f"{s.complete}/{s.answers}",
        "completion": f"{s.completion:.0%}",
        "median extra latency (s)": None if s.median_extra_s is None else round(s.median_extra_s, 2),
        "tokens wasted": s.tokens_wasted, "extra requests": s.extra_requests,
        "input tokens sent again": s.resent_input_tokens,
    } for s in summaries])


def chaos_chart(summaries: list[ChaosSummary]) -> alt.Chart:
    """Complete answers per strategy: the shape of the lesson at a glance."""
    frame = pd.DataFrame([{"strategy": s.short, "complete answers (%)": round(100 * s.completion),
                           "default": s.strategy == "default"} for s in summaries])
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("complete answers (%):Q", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("strategy:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.condition("datum.default", alt.value("#4F46E5"), alt.value("#9CA3AF")),
    )
    labels = bars.mark_text(align="left", dx=4).encode(text="complete answers (%):Q")
    return (bars + labels).properties(height=40 * len(summaries) + 20)
