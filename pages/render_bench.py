"""Hidden page for the browser benches (bench/throttling.py, bench/smoothness.py): one seeded stream
through one strategy, nothing else on screen; the reply is drawn in `.st-key-bench_reply`.

URL: /render_bench?strategy=<key>|write_stream|idle|baseline&tokens=N&rate=R
     [&answer=prose|markdown|<hostile key>]
(`idle` streams the answer and draws nothing: what the page itself costs while a reply runs.)
"""

import streamlit as st

from components.config import ProviderSettings
from components.lessons.throttling import max_in_one_second
from components.models.sample_texts import HOSTILE, MARKDOWN, PROSE
from components.models.simulated_model import SimulatedChatModel
from components.rendering.render import draw_until_done, start_drawing
from components.rendering.strategies import STRATEGIES
from components.shell import ensure_app_shell
from components.streaming.run import StreamRun
from components.typing_view import TypingScreen
from components.url_params import Choice, Number, read

ensure_app_shell()

# fixed answers by name (components/models/sample_texts.py); without one, `tokens` of a long guide
FIXED = {"prose": PROSE, "markdown": MARKDOWN, **HOSTILE}

BENCH_URL = (Choice("strategy", (*STRATEGIES, "write_stream", "idle", "baseline"), "blocks_budget"),
             Number("tokens", 1, 20_000, 500, 1), Number("rate", 1.0, 10_000.0, 100.0, 0.5),
             Choice("answer", ("", *FIXED), ""))
# untrusted input like every page's URL: a bad value means the default, never a traceback
chosen = read({name: st.query_params.get_all(name) for name in ("strategy", "tokens", "rate", "answer")},
              BENCH_URL)
key, tokens, rate = chosen["strategy"], chosen["tokens"], chosen["rate"]
fixed = FIXED.get(chosen["answer"], "")
shown, sent_per_second, answer_bytes = 0, "-", 0
st.caption(f"Streaming through `{key}`…")  # markdown drawn before the answer, as on every real page
if key != "baseline":  # baseline: the page without an answer, which every measurement also pays
    model = SimulatedChatModel(answer_tokens=tokens, tokens_per_second=rate, ttft_s=0.2, jitter=0.0,
                               seed=ProviderSettings().seed, streaming=True, text=fixed)
    run = StreamRun(model, "bench").start()
    reply = st.container(key="bench_reply")
    if key == "write_stream":
        reply.write_stream(run)
    elif key == "idle":
        run.wait()
    else:
        strategy = STRATEGIES[key]
        drawn = start_drawing(run, strategy.sink(TypingScreen(reply)), strategy.policy)
        draw_until_done([drawn])
        sent_per_second = str(max_in_one_second(drawn.buffer.update_times))
    shown, answer_bytes = len(run.result.text), len(run.result.text.encode())
st.container(key="bench_done").caption(
    f"done {shown} {sent_per_second} {answer_bytes} chars; max updates/s; bytes")
