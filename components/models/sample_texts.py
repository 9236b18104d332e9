"""Texts that stress a renderer: a realistic prose answer for the smoothness bench, and hostile model
output (deep nesting, huge lines) that must neither crash nor freeze a page."""

from __future__ import annotations

PROSE = """\
When a chat product streams an answer, the reader's eye follows the end of the text, so what \
matters is not how many bytes arrive but how evenly the words appear. A renderer that waits a \
whole second between updates shows a sentence, then nothing, then two more sentences, and the \
reply feels like it is loading rather than being written. A renderer that repaints every few \
dozen milliseconds looks like typing, but if each repaint re-sends the whole paragraph, the cost \
grows with the square of the answer.

The way out is to separate what is sent from what is seen. The server sends only the new text, a \
few times a second, and never sends a character twice. The browser keeps everything it has \
received and reveals it at a steady pace, so the screen advances every frame even though the \
network delivers in bursts. Finished paragraphs are rendered once and left alone; only the last \
one is redrawn while it grows.

Three numbers tell whether it works:

- **Visible updates per second** while tokens flow, stamped in the browser, not counted on the \
server.
- **The longest gap** between two visible updates, because one stall is what a person notices.
- **Bytes per answer byte**, which must stay flat as answers get longer.

```python
for chunk in model.stream(prompt):
    buffer.append(chunk.content)
```"""

MARKDOWN = """\
## Streaming, *in short*

Every construct a model likes: **bold**, *emphasis*, ***both***, ~~struck~~, `code spans`, a \
[link to the docs](https://docs.streamlit.io "Streamlit") and 2 * 3 = 6 of plain arithmetic.

1. First, **measure**:
   - time to first token
   - tokens per second, with `model.stream()`
2. Then *render* once:

   ```python
   for chunk in model.stream(prompt):
       print(chunk.content, end="")
   ```

> A quote with **weight** and a [link](https://example.com).

| renderer | updates/s | bytes |
|---|---|---|
| `st.write_stream` | 45 | 170× |
| typing view | 29 | 3× |

Title in setext style
---------------------

Typed punctuation: “quotes” — dashes… (see [the guide](https://example.com/a_b))! AT&amp;T \
and &copy; stay entities; a (parenthesis) and 'single' quotes.

Last line with a trailing \\*escaped star* and an email-like a_b_c name."""

HOSTILE: dict[str, str] = {
    "quotes": "> " * 5000,
    "dashes": "- " * 5000,
    "deep_list": "".join(f"{'  ' * depth}- level {depth}\n" for depth in range(5000)),
    "long_line": "word " * 200_000,
    "script": ('<script>alert("script")</script>\n\n<img src=x onerror="alert(\'onerror\')">\n\n'
               '[click me](javascript:alert("link")) and <a href="javascript:alert(1)">this</a>'),
}
"""Model output seen in the wild or built to hurt: each must render bounded, with no script run."""
