"""The simulated model's answers: a few well-written texts about streaming, so offline demos read well."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """One canned answer and the words that make a prompt pick it."""

    key: str
    keywords: frozenset[str]
    text: str


_WHY_STREAM = """\
Streaming sends the answer to the user **while the model is still writing it**, token by token, \
instead of waiting for the last word.

The total time hardly changes: a model that writes 40 tokens per second still needs some \
six seconds for an answer like this one, about 230 tokens long. What changes is the *wait before \
anything happens*:

- **Blocking:** the user stares at a spinner for all six seconds.
- **Streaming:** the first words appear after the time to first token, often under half a second.
- **Reading overlaps writing:** most people read slower than the model writes, so the answer \
feels finished when the last token lands.

In LangChain the switch is small:

```python
for chunk in model.stream(prompt):
    print(chunk.text, end="")
```

Measure two numbers on every request: **time to first token** (what users feel) and \
**tokens per second** (how long they wait for the end). Streaming improves the first and \
leaves the second alone."""

_CALLBACKS = """\
Tokens travel from the model to the screen through **callbacks**. The provider's client \
reads server-sent events, the chat model turns each one into a chunk, and LangChain's \
callback manager hands every chunk to the handlers attached to the run.

A handler is a small class with hooks such as:

- `on_llm_start` when the request leaves,
- `on_llm_new_token` for every piece of text,
- `on_llm_end` or `on_llm_error` when it is over.

Handlers compose: one writes to the UI, one records timing, one logs events, and none of \
them knows about the others.

```python
class Timing(BaseCallbackHandler):
    def on_llm_new_token(
        self, token, **kwargs
    ):
        self.times.append(now())
```

Enabling streaming alone shows nothing. Tokens reach the user only when a handler, or a \
loop over `stream()`, carries them there."""

_THROTTLING = """\
Updating the screen on every token is wasteful. A naive renderer re-sends the **whole text \
so far** with each token, so the bytes pushed to the browser grow with the *square* of the \
answer's length.

Three fixes, best combined:

1. **Batch tokens:** flush every 50 ms, or at word and sentence boundaries.
2. **Pace to the screen:** never repaint more than about 60 times per second.
3. **Render blocks once:** a finished paragraph never changes, so write it once and keep \
only the unfinished last block live.

```python
buffer.append(token)
if now() - flushed > 0.05:
    slot.markdown(buffer.text)
```

Whatever the policy, a final flush delivers the rest: batching may delay text by a few \
milliseconds, but it must never lose or reorder it."""

_DROPS = """\
In production, streams break. The connection drops mid-answer, the server stalls, a rate \
limit answers before the first token, or the stream simply **ends early without saying so**.

A robust app plans for each case:

- **Detect:** catch exceptions mid-stream, watch the gap between tokens, and check that a \
finish reason arrived.
- **Keep:** text that already reached the user stays on screen.
- **Recover:** retry the stream with backoff, fall back to a full response, or ask the model \
to continue from the partial text.

```python
try:
    for chunk in model.stream(q):
        show(chunk)
except ConnectionError:
    answer = model.invoke(q)
```

Retries do not come for free mid-stream: a fallback that only guards the first chunk does \
nothing once text is on screen, so recovery has to be stream-aware."""

_CHAT = """\
A production chat assistant puts the patterns together. Each reply streams into its own \
message, the history lives in the session, and the user stays in control.

What users expect:

- **Stop** a reply that goes the wrong way, and keep what was written.
- **Regenerate** the last answer with one click.
- **Errors that lose nothing:** a failed request shows a clear message and keeps the prompt.
- **Fast repeats:** a question asked twice is answered from a cache.

```python
with st.chat_message("assistant"):
    stream = model.stream(history)
    reply = st.write_stream(stream)
msg = {"role": "assistant",
       "content": reply}
history.append(msg)
```

Under the hood, trim the history to a token budget before each request, so long \
conversations stay inside the model's context window and the bill stays predictable."""

_GENERAL = """\
Large language models write one token at a time, and **streaming** lets your app show each \
token as soon as it exists.

Why it matters in a product:

- **Perceived speed:** users see words within a fraction of a second.
- **Early exit:** a user can stop a reply that misunderstood the question.
- **Honest progress:** text that grows is better feedback than any spinner.

The mechanics are simple. The server keeps the HTTP response open and sends events as they \
are ready:

```text
data: {"choices": [{"delta": {"content": "Hel"}}]}
data: {"choices": [{"delta": {"content": "lo"}}]}
data: [DONE]
```

The hard parts are around it: rendering efficiently, measuring what users feel, and \
surviving connections that break halfway."""

_OUTLINE = """\
1. **Wait:** without streaming, users stare at a spinner until the last token.
2. **First words:** streaming shows text after the time to first token.
3. **Same total:** the model is not faster; the wait just feels shorter."""

_CONTACT = """\
Here is the support summary you asked for, with the details an assistant should never show.

The customer, Alice Martin, wrote from alice.martin@example.com and asked us to call back on \
+1 (555) 010-4477 after 5 pm. Her colleague bob.smith+billing@example.co.uk is in copy.

While debugging, she pasted a key into the ticket: sk-live-4fJ9kQ2mZx7Lr8Tn3Wv6. Rotate it \
today and reply to support@streaming-lab.example, or phone 555.867.5309 for the on-call team.

A redaction stage between the model and the screen catches all of this, even when an address \
arrives split across two tokens."""

_SHORT = "Streaming shows an answer's words as the model writes them, instead of all at the end."

ANSWERS: tuple[Answer, ...] = (
    Answer("short", frozenset({"sentence", "short", "briefly", "tldr", "yes", "no"}), _SHORT),
    Answer("why_stream", frozenset({"why", "stream", "streaming", "ttft", "first", "token",
                                     "latency", "wait", "blocking", "fast"}), _WHY_STREAM),
    Answer("callbacks", frozenset({"callback", "callbacks", "handler", "handlers", "event",
                                    "events", "hook", "middleware"}), _CALLBACKS),
    Answer("throttling", frozenset({"throttle", "throttling", "buffer", "batch", "render",
                                     "rendering", "flicker", "update", "updates"}), _THROTTLING),
    Answer("drops", frozenset({"drop", "drops", "network", "retry", "fallback", "error",
                                "errors", "stall", "timeout", "fail", "resume"}), _DROPS),
    Answer("chat", frozenset({"chat", "history", "assistant", "conversation", "stop",
                               "regenerate", "cache"}), _CHAT),
    Answer("outline", frozenset({"outline", "points", "plan", "steps"}), _OUTLINE),
    Answer("contact", frozenset({"contact", "customer", "ticket", "support", "summary", "email",
                                  "phone", "redact", "secret", "secrets"}), _CONTACT),
)
GENERAL = Answer("general", frozenset(), _GENERAL)


def pick_answer(prompt: str) -> Answer:
    """Choose the answer whose keywords the prompt mentions most; ties go to the earlier one."""
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    best, best_score = GENERAL, 0
    for answer in ANSWERS:
        score = len(words & answer.keywords)
        if answer.key == "short":
            # only a prompt that asks for brevity gets the one-liner
            score = 100 if words & {"sentence", "briefly", "tldr", "short"} else 0
        if score > best_score:
            best, best_score = answer, score
    return best


GUIDE: tuple[tuple[str, str], ...] = (
    ("Why stream", _WHY_STREAM), ("Callbacks carry the tokens", _CALLBACKS),
    ("Throttle the screen", _THROTTLING), ("When the network drops", _DROPS),
    ("A production chat", _CHAT), ("How streaming works", _GENERAL),
)
"""The long answer's chapters: the topic answers only, never the support ticket's fake contact data."""


def long_answer(min_chars: int) -> str:
    """A guide to streaming in chapters, repeated in rounds until it has at least `min_chars` characters.

    The simulated model cuts it to a token count at the end of a sentence (`whole_sentences`)."""
    parts = ["# Streaming LLM output in production: a guide"]
    length, chapter = len(parts[0]), 0
    while length < min_chars:
        title, text = GUIDE[chapter % len(GUIDE)]
        round_ = chapter // len(GUIDE) + 1
        heading = f"## {title}" if round_ == 1 else f"## {title}, round {round_}"
        parts += [heading, text]
        length += len(heading) + len(text) + 4
        chapter += 1
    return "\n\n".join(parts)


OPENERS = ("Here is another way to put it.", "Put differently:", "Let me answer that again.",
           "Another take on the same question.")


def reworded(text: str, variant: int) -> str:
    """The answer as a regenerated reply tells it: another opening line before the same, whole
    text (reordering paragraphs would tear a list from its lead-in). Variant 0 is the text."""
    if variant <= 0:
        return text
    return f"{OPENERS[(variant - 1) % len(OPENERS)]}\n\n{text}"
