"""Text → screen: when to flush (flush_policies.py), finished markdown blocks vs a live tail
(markdown_blocks.py), middleware on the text (transforms.py), where text goes and what it costs
(sinks.py), and drawing runs (render.py). Sinks draw through a duck-typed target, not Streamlit.

May import: components/streaming/.
"""
