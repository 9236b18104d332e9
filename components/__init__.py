"""Streaming Lab's logic, in layers: each may import only the ones before it.

streaming/  model → text: the run, recovery, events, results (no Streamlit)
callbacks.py  the shared LangChain callback handlers (no Streamlit)
config.py   every setting, one reader, one rule (imports nothing of ours)
rendering/  text → screen: flush policies, markdown blocks, transforms, sinks, drawing
models/     which chat model: providers, the simulated model and its answers, faults, errors
chat/       the production chat: conversation, cache, stream stores, reply worker, session
lessons/    what each page shows: one module per page (charts, verdicts, reports)
catalog.py, shell.py, sidebar.py, widgets.py   the app shell every page shares
"""
