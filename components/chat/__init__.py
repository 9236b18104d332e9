"""The production chat without Streamlit: the conversation (conversation.py), the answer cache
(cache.py), stream stores in process or in Redis (stream_store.py, redis_store.py), the worker
that writes a reply into a store (reply_worker.py), and what a prompt or a button does (session.py).

May import: components/streaming/, components/models/, components/config.py. Never lessons/.
"""
