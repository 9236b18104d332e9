"""Model → text, with no Streamlit: a run in a worker thread (run.py), its recovery (recovery.py),
the events it speaks (events.py), the result it ends in (result.py), and injectable time.

May import: the standard library, LangChain, and components/callbacks.py (the shared handlers).
"""
