"""Hidden page for bench/throttling.py: one seeded stream through one strategy, nothing else on screen.

URL: /render_bench?strategy=<key>|write_stream|baseline&tokens=N&rate=R
"""

import streamlit as st

from components.callbacks import StreamRun, render_together, rendering
from components.render_report import max_in_one_second
from components.render_strategies import STRATEGIES
from components.settings import ProviderSettings
from components.shell import ensure_app_shell
from components.simulated_model import SimulatedChatModel

ensure_app_shell()

params = st.query_params
key = params.get("strategy", "blocks_budget")
tokens = int(params.get("tokens", 500))
rate = float(params.get("rate", 100))
shown, sent_per_second = 0, "-"
if key != "baseline":  # baseline: the page without an answer, which every measurement also pays
    model = SimulatedChatModel(answer_tokens=tokens, tokens_per_second=rate, ttft_s=0.2, jitter=0.0,
                               seed=ProviderSettings().seed, streaming=True)
    run = StreamRun(model, "bench").start()
    if key == "write_stream":
        st.write_stream(run)
    else:
        strategy = STRATEGIES[key]
        drawn = rendering(run, strategy.sink(st.container()), strategy.policy)
        render_together([drawn])
        sent_per_second = str(max_in_one_second(drawn.buffer.update_times))
    shown = len(run.result.text)
st.container(key="bench_done").caption(f"done {shown} {sent_per_second} chars; max updates/s")
