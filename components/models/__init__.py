"""Which chat model answers: providers (OpenAI and compatible, or the offline simulated model and
its canned answers), fault injection, human messages for errors, and prompt checks.

May import: components/streaming/, components/config.py. No Streamlit.
"""
