"""Stream middleware: chunked output equals the whole-text transform, whatever the chunk boundaries."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from components.rendering.transforms import (
    EMAIL,
    PHONE,
    SECRET,
    TRANSFORMS,
    UPPER,
    RuleStream,
    StreamTransform,
    word_mask,
)

PIECES = ["alice@example.com", "bob.smith+tag@mail.co.uk", "+1 (555) 010-4477", "555.123.4567",
          "sk-fake-abcdefghijklmnop", "AKIAABCDEFGHIJKLMNOP", "task-abcdefghijklmnopq", "stream",
          "Streaming", "upstream", "tokens", "@", ".", "-", " ", "\n", "(", ")", "+", "x", "7"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=25).map("".join)


def chunked(transform: StreamTransform, text: str, cuts: list[int]) -> str:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    out = "".join(transform.feed(text[a:b]) for a, b in itertools.pairwise(points))
    return out + transform.close()


@given(text=texts, cuts=st.lists(st.integers(0, 500), max_size=40),
       key=st.sampled_from(list(TRANSFORMS)))
@settings(max_examples=400, deadline=None)
def test_any_chunking_gives_the_whole_text_result(text: str, cuts: list[int], key: str) -> None:
    transform = TRANSFORMS[key]()
    assert chunked(transform, text, cuts) == TRANSFORMS[key]().whole(text)
    assert transform.counts == TRANSFORMS[key]().whole_counts(text)  # what the page reports


@given(text=texts, cuts=st.lists(st.integers(0, 500), max_size=40))
@settings(max_examples=200, deadline=None)
def test_a_rule_that_matches_nothing_passes_every_character_once(text: str, cuts: list[int]) -> None:
    transform = StreamTransform([word_mask(["zzzzqqq"])])
    assert chunked(transform, text, cuts) == text  # nothing lost, nothing duplicated


def test_an_address_split_across_chunks_is_still_redacted() -> None:
    transform = TRANSFORMS["redact"]()
    out = transform.feed("Write to alice@exa") + transform.feed("mple.com today.") + transform.close()
    assert out == "Write to [e-mail] today."


def test_the_look_ahead_is_only_the_open_run() -> None:
    email = RuleStream(EMAIL)
    assert email.feed("Write to ali") == "Write to " and email.held == "ali"
    assert email.feed("ce@x.io, then") == "[e-mail], " and email.held == "then"
    phone = RuleStream(PHONE)
    assert phone.feed("call (555) 01") == "call " and phone.held == "(555) 01"
    assert phone.feed("0-4477 now") == "[phone] now" and phone.held == ""  # no number starts in "now"
    upper = RuleStream(UPPER)
    assert upper.feed("no wait") == "NO WAIT" and upper.held == ""


def test_each_rule_counts_what_it_replaced() -> None:
    mask = TRANSFORMS["mask"]()
    chunked(mask, "Streaming sends tokens; a stream of tokens.", [4, 11, 20])
    assert mask.counts == {"masked words": 4}
    redact = TRANSFORMS["redact"]()
    chunked(redact, "Mail alice@example.com or bob@example.org, call 555.867.5309.", [7, 30])
    assert redact.counts == {"secrets (API keys)": 0, "e-mail addresses": 2, "phone numbers": 1}


def test_word_boundaries_are_respected_across_chunks() -> None:
    transform = StreamTransform([word_mask(["stream"])])
    assert chunked(transform, "upstream stream streams", [3, 10, 14]) == "upstream ****** streams"
    secret = StreamTransform([SECRET])
    assert chunked(secret, "task-abcdefghijklmnopq sk-abcdefghijklmnop", [2, 25]) \
        == "task-abcdefghijklmnopq [secret]"
