"""Hidden page for bench/throttling.py: one seeded stream through one strategy, nothing else on screen.

URL: /render_bench?strategy=<key>|write_stream|baseline&tokens=N&rate=R
"""

import streamlit as st

from components.config import ProviderSettings
from components.lessons.throttling import max_in_one_second
from components.models.simulated_model import SimulatedChatModel
from components.rendering.render import draw_until_done, start_drawing
from components.rendering.strategies import STRATEGIES
from components.shell import ensure_app_shell
from components.streaming.run import StreamRun
from components.url_params import Choice, Number, read

ensure_app_shell()

BENCH_URL = (Choice("strategy", (*STRATEGIES, "write_stream", "baseline"), "blocks_budget"),
             Number("tokens", 1, 20_000, 500, 1), Number("rate", 1.0, 10_000.0, 100.0, 0.5))
# untrusted input like every page's URL: a bad value means the default, never a traceback
chosen = read({name: st.query_params.get_all(name) for name in ("strategy", "tokens", "rate")}, BENCH_URL)
key, tokens, rate = chosen["strategy"], chosen["tokens"], chosen["rate"]
shown, sent_per_second = 0, "-"
if key != "baseline":  # baseline: the page without an answer, which every measurement also pays
    model = SimulatedChatModel(answer_tokens=tokens, tokens_per_second=rate, ttft_s=0.2, jitter=0.0,
                               seed=ProviderSettings().seed, streaming=True)
    run = StreamRun(model, "bench").start()
    if key == "write_stream":
        st.write_stream(run)
    else:
        strategy = STRATEGIES[key]
        drawn = start_drawing(run, strategy.sink(st.container()), strategy.policy)
        draw_until_done([drawn])
        sent_per_second = str(max_in_one_second(drawn.buffer.update_times))
    shown = len(run.result.text)
st.container(key="bench_done").caption(f"done {shown} {sent_per_second} chars; max updates/s")
